import Features
import Foundation
import Posts
import Testing

/// The fast path (`extract(_: PostText, …)`: one hashing pass, piece path only where a pattern
/// may start) must hand the sink exactly what the piece path (`extract(_: Post, …)`) hands it:
/// the same hashes, weights and order. Models, `features` output and scores depend on it.

/// Records every token as (hash, weight), in order.
private struct RecordingSink: TokenSink {
    var tokens: [(UInt64, Double)] = []
    /// Takes tokens by hash alone only when all are in `known` (as training does), or always.
    var known: Set<UInt64>?

    mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String) {
        tokens.append((hash, weight))
    }

    func acceptsHashesOnly(_ hashes: UnsafeBufferPointer<UInt64>) -> Bool {
        guard let known else { return true }
        return hashes.allSatisfy { known.contains($0) }
    }
}

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func fixtureLines() throws -> [String] {
    var lines: [String] = []
    for name in ["Fixtures/corpus/train.jsonl", "Fixtures/corpus/test.jsonl", "Fixtures/demo/posts.jsonl"] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(name), encoding: .utf8)
        lines += text.split(separator: "\n").map(String.init)
    }
    return lines
}

/// The piece path's and the fast path's tokens of one JSONL line.
private func bothPaths(
    _ line: String, configuration: FeatureExtractor.Configuration = .init(), known: Set<UInt64>? = nil
) throws -> (reference: [(UInt64, Double)], fast: [(UInt64, Double)]) {
    let post = try Post(jsonLine: line)
    var reference = FeatureExtractor(configuration: configuration)
    var expected = RecordingSink()
    reference.extract(post, into: &expected)
    var fast = FeatureExtractor(configuration: configuration)
    var got = RecordingSink(known: known)
    var copy = line
    try copy.withUTF8 { raw in
        let text = try PostText(jsonLine: UnsafeRawBufferPointer(raw))
        fast.extract(text, into: &got)
    }
    return (expected.tokens, got.tokens)
}

private func same(_ a: [(UInt64, Double)], _ b: [(UInt64, Double)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Fragments that exercise folding, splitting and every pattern's start: mixed scripts,
/// zero-width and joiner characters, non-ASCII digits, emoji, digit words, prices, links.
private let fragments: [String] = [
    "hola", "Cómo", "CRUZAR", "frontera", "heeeelp", "cooool", "ñandú", "Ａｂｃ", "ｗｈａｔｓａｐｐ", "İstanbul", "straße",
    "привет", "Ελλάδα", "مرحبا", "नमस्ते", "안녕하세요", "カタカナ", "ひらがな", "過境說明", "走线攻略", "偷渡", "蛇头",
    "微信", "薇信", "威信", "V信", "加V", "加vx", "私信", "私聊", "主页", "二维码", "扫码", "纸飞机", "一二三四五", "幺三八",
    "一万", "8万美金", "1.5万", "两千", "五五五零一", "三", "一", "元", "块",
    "5", "55", "555", "0142", "2024", "12:30", "+52", "(55)", "555-0142", "5555 0142", "8,000", "9.500", "8k", "12K",
    "٣٤٥", "५५५", "１２３", "8 mil", "mil", "usd", "USD", "dólares", "pesos", "k", "$", "€", "¥", "£", "$8,000",
    "€ 3000", "cinco", "cinco cinco cinco", "five five five zero", "uno dos tres", "un", "una", "one or two",
    "whatsapp", "WhatsApp", "w h a t s a p p", "t.e.l.e.g.r.a.m", "t.g", "v.x", "a b c", "a.b", "x-y-z", "wa.me/5255",
    "t.me/coyote_demo", "https://example.com/x", "www.example.com", "http", "link in bio", "link en la bio", "enlace",
    "bio", "DM", "inbox", "qr", "tg", "wx", "@coyote_demo", "mail@example.com", "#CruzarLaFrontera", "#usa", "＃tag",
    "😀", "🇲🇽", "👨‍👩‍👧", "❤️", "✈︎", "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{FE0F}", "e\u{0301}",
    "co\u{200B}yo\u{200D}te", "_", "-", ".", ",", ":", "/", "(", ")", "+", "@", "#", "!", "?", "¿", "¡", "…", "—", "«", "»",
    "'", "\"", "\\", "\t", "\n", " ", "  ", "　", "^", "=", "<", ">", "|", "~", "`", "%", "&", "*", "ǅ", "ﬁ", "℡", "Ⅻ", "①",
    "𝐀𝐁𝐂", "𠀋", "a", "y", "o", "e", "i", "A", "Z", "ab", "aa", "aaa", "CamelCaseTag", "ABCdef", "nOpE", "İ", "ß",
]

/// Fragments that start no pattern, so the texts made of them take the one-pass path.
private let plainFragments = fragments.filter { f in
    !f.unicodeScalars.contains { "0123456789$€¥£@+(#".unicodeScalars.contains($0) || (0x4E00...0x9FFF).contains($0.value) }
        && !["whatsapp", "WhatsApp", "http", "link in bio", "link en la bio", "DM", "inbox", "qr", "tg", "wx", "k", "usd", "USD",
            "a", "y", "o", "e", "i", "A", "Z", "cinco", "un", "una", "mil", "pesos", "dólares", "a b c", "a.b", "x-y-z",
            "w h a t s a p p", "t.e.l.e.g.r.a.m", "t.g", "v.x", "cinco cinco cinco", "five five five zero", "uno dos tres",
            "ｗｈａｔｓａｐｐ", "V信", "加V", "加vx", "www.example.com", "mail@example.com"].contains(f)
}

private func randomText(_ rng: inout SplitMix, plain: Bool = false) -> String {
    var s = ""
    for _ in 0..<Int.random(in: 1...14, using: &rng) {
        s += (plain ? plainFragments : fragments).randomElement(using: &rng)!
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<5: s += " "
        case 5: s += "."
        case 6: s += "-"
        default: break
        }
    }
    return s
}

@Suite("Fast path equals the piece path")
struct EquivalenceTests {
    @Test("every fixture post: same tokens, weights and order")
    func fixtures() throws {
        let lines = try fixtureLines()
        #expect(lines.count > 2000)
        var differing: [String] = []
        for line in lines {
            let (reference, fast) = try bothPaths(line)
            if !same(reference, fast) { differing.append(String(line.prefix(80))) }
        }
        #expect(differing.isEmpty, "differs: \(differing.prefix(5))")
    }

    @Test("field weights, binary counting and bigrams off give the same tokens too")
    func configurations() throws {
        var weighted = FeatureExtractor.Configuration()
        weighted.titleWeight = 2
        weighted.captionWeight = 0.5
        weighted.hashtagWeight = 3
        var binary = FeatureExtractor.Configuration()
        binary.binary = true
        binary.titleWeight = 2
        var plain = FeatureExtractor.Configuration()
        plain.wordBigrams = false
        plain.cjkBigrams = false
        var differing: [String] = []
        for line in try fixtureLines() {
            for c in [weighted, binary, plain] {
                let (reference, fast) = try bothPaths(line, configuration: c)
                if !same(reference, fast) { differing.append(String(line.prefix(80))) }
            }
        }
        #expect(differing.isEmpty, "differs: \(differing.prefix(5))")
    }

    @Test("random mixed-script and adversarial texts in every field")
    func randomTexts() throws {
        var rng = SplitMix(state: 0x5EED)
        var differing: [String] = []
        var fastTexts = 0
        for k in 0..<6000 {
            var post = Post(id: "r:\(k)")
            let plain = k % 3 != 0
            switch k % 4 {
            case 0: post.description = randomText(&rng, plain: plain)
            case 1: post.title = randomText(&rng, plain: plain)
            case 2: post.hashtags = [randomText(&rng, plain: plain), randomText(&rng, plain: plain)]
            default:
                post.captions = [
                    Cue(start: 0, end: 1, text: randomText(&rng, plain: plain)), Cue(start: 1, end: 2, text: randomText(&rng, plain: plain)),
                ]
            }
            guard post.hasText else { continue }
            let (reference, fast) = try bothPaths(post.jsonLine)
            if !same(reference, fast) { differing.append(post.jsonLine) }
            if reference.isEmpty == false { fastTexts += 1 }
        }
        #expect(differing.isEmpty, "differs: \(differing.prefix(5))")
        #expect(fastTexts > 4000)
    }

    @Test("a sink that needs texts for unknown tokens gets them from the piece path, same tokens")
    func unknownTokens() throws {
        // Know the tokens of the first half of the corpus only, as a trainer part-way through does.
        let lines = try fixtureLines()
        var known = Set<UInt64>()
        for line in lines.prefix(lines.count / 2) { known.formUnion(try bothPaths(line).reference.map(\.0)) }
        var differing: [String] = []
        for line in lines {
            let (reference, fast) = try bothPaths(line, known: known)
            if !same(reference, fast) { differing.append(String(line.prefix(80))) }
        }
        #expect(differing.isEmpty, "differs: \(differing.prefix(5))")
    }
}
