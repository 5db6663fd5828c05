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
    /// Token texts, in order, when `keepTexts` (the piece path's, or the scan's for a sink that
    /// refuses hashes alone).
    var texts: [String] = []
    var keepTexts = false

    var needsTokenTexts: Bool { known != nil }

    mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String) {
        tokens.append((hash, weight))
        if keepTexts { texts.append(text()) }
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

/// `bothPaths`, also returning how the fast path handled the texts.
private func bothPathsCounting(
    _ line: String, configuration: FeatureExtractor.Configuration = .init()
) throws -> (reference: [(UInt64, Double)], fast: [(UInt64, Double)], counts: FeatureExtractor.FastPathCounts) {
    let post = try Post(jsonLine: line)
    var reference = FeatureExtractor(configuration: configuration)
    var expected = RecordingSink()
    reference.extract(post, into: &expected)
    var fast = FeatureExtractor(configuration: configuration)
    var got = RecordingSink()
    var copy = line
    try copy.withUTF8 { raw in
        let text = try PostText(jsonLine: UnsafeRawBufferPointer(raw))
        fast.extract(text, into: &got)
    }
    return (expected.tokens, got.tokens, fast.fastPathCounts)
}

/// Both paths into sinks that keep token texts; the fast one refuses hashes alone (it knows no
/// token), so every text's tokens come one by one with the texts the scan builds.
private func bothPathsWithTexts(
    _ line: String, configuration: FeatureExtractor.Configuration = .init()
) throws -> (reference: RecordingSink, fast: RecordingSink, counts: FeatureExtractor.FastPathCounts) {
    let post = try Post(jsonLine: line)
    var reference = FeatureExtractor(configuration: configuration)
    var expected = RecordingSink()
    expected.keepTexts = true
    reference.extract(post, into: &expected)
    var fast = FeatureExtractor(configuration: configuration)
    var got = RecordingSink(known: [])
    got.keepTexts = true
    var copy = line
    try copy.withUTF8 { raw in
        let text = try PostText(jsonLine: UnsafeRawBufferPointer(raw))
        fast.extract(text, into: &got)
    }
    return (expected, got, fast.fastPathCounts)
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

/// Numbers, phones (spaced, dotted, bracketed, obfuscated digits), prices, @handles, contact
/// words, WeChat ids, "link in bio" and the Chinese mentions: the patterns the scan matches
/// itself, and near misses around them.
private let scanFragments: [String] = [
    "5", "55", "555", "0142", "5555", "2024", "12:30", "1.000.000", "99.99", "1,5", "8,000", "9.500", "8 000", "12 000",
    "555 0142", "555-0142", "555.0142", "5550142", "55 5555 0142", "555 01 42", "5 5 5 0 1 4 2", "5.5.5.0.1.4.2",
    "5-5-5-0-1-4-2", "55-55-55-01-42", "555.555.0142", "(555) 555-0142", "(55)5555-0142", "+52 55 5555 0142",
    "+52 (55) 5555-0142", "+1 (555) 010-0142", "+1 555 0100", "+86 138 5550 0142", "+", "(", ")", "()", "(5", "5)",
    "555 0142 0142 0142 555", "5555555555555555", "１２３４５６７", "５５５－０１４２", "٥٥٥٠١٤٢", "५५५०१४२", "5\u{200B}5\u{200B}5",
    "$", "€", "¥", "£", "$8,000", "$ 8,000", "$8.000", "$8", "$ 8 000", "€3.000", "£20", "¥500", "$5550142", "$ 555 0142",
    "8,000 usd", "8000 USD", "8 mil", "8 mil dólares", "8 mil dls", "9 500 pesos", "5 euros", "200 rmb", "5 k", "5 k usd",
    "1.5万", "8万美金", "5万元", "3千块", "2万", "5 万", "5元", "5美金", "500块", "3千", "万", "元", "美金",
    "8k", "8K", "8k usd", "8K dólares", "8kkk", "8k8", "k8", "12k", "1.5k", "k", "kk", "mil", "usd", "pesos", "dls",
    "@coyote_demo", "@coyote.demo_1", "@_demo", "@5550142", "@ demo", "mail@demo.example", "a@b", "5@b", "@@x", "@x-y",
    "@x/y?z=1", "@x.", "@x~y", "@x=y&z%", "@x:y", "@", "＠coyote_demo", "@ñandú_demo", "@demo.", "@demo..x", "@demo-",
    "whatsapp", "WhatsApp", "wsp", "DM", "dms", "inbox", "md", "tg", "telegram", "wx", "vx", "qr", "wechat", "weixin",
    "wechat: coyote_demo", "wechat - = abcdef", "wechat号是 abc_demo", "VX：abc123_demo", "vx abc", "wx 5550142", "vx whatsapp",
    "微信", "微信: coyote_demo", "微信号 abc_demo", "微信 5550142", "微信号是加 abc.demo-1", "薇信", "威信", "微 信", "加V abc_demo",
    "加vx", "加 v", "加wx:abcde", "V信", "v信 abc_demo", "v 信", "私信", "私聊", "私我", "私 信", "主页", "二维码", "二维", "扫码",
    "纸飞机", "纸飞", "link in bio", "link en la bio", "enlace en la bio", "links en mi bio", "link bio", "link my", "bio", "en la",
]

/// Fragments without numbers that start no other pattern, to mix with the numeric ones.
private let quietFragments = plainFragments.filter { f in !f.unicodeScalars.contains { $0.properties.numericType != nil } }

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

/// A text of the scan's own patterns among plain words, with separators that join or split them.
private func scanText(_ rng: inout SplitMix) -> String {
    var s = ""
    for _ in 0..<Int.random(in: 1...12, using: &rng) {
        s += Int.random(in: 0..<5, using: &rng) < 3
            ? scanFragments.randomElement(using: &rng)! : quietFragments.randomElement(using: &rng)!
        switch Int.random(in: 0..<12, using: &rng) {
        case 0..<5: s += " "
        case 5: s += "."
        case 6: s += "-"
        case 7: s += ","
        case 8: s += "/"
        case 9: s += "  "
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
        var counts = FeatureExtractor.FastPathCounts()
        for line in lines {
            let (reference, fast, c) = try bothPathsCounting(line)
            if !same(reference, fast) { differing.append(String(line.prefix(80))) }
            counts.add(c)
        }
        #expect(differing.isEmpty, "differs: \(differing.prefix(5))")
        print("fixtures: \(counts.texts) texts, \(counts.scannedPatterns) with patterns found in the scan, \(counts.piecePath) through the piece path")
        #expect(counts.scannedPatterns > 0)
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

    @Test("phones, prices, handles, contact words and ids matched in the scan: same tokens, in every setting")
    func scanTexts() throws {
        var rng = SplitMix(state: 0x5EED_0002)
        var weighted = FeatureExtractor.Configuration()
        weighted.titleWeight = 2
        weighted.captionWeight = 0.5
        weighted.hashtagWeight = 3
        var binary = FeatureExtractor.Configuration()
        binary.binary = true
        var plain = FeatureExtractor.Configuration()
        plain.wordBigrams = false
        plain.cjkBigrams = false
        var differing: [String] = []
        var counts = FeatureExtractor.FastPathCounts()
        var patternTokens = 0
        let patternHashes = Set(PatternToken.allCases.map { TokenHash.hash($0.rawValue) })
        for k in 0..<6000 {
            var post = Post(id: "n:\(k)")
            switch k % 4 {
            case 0: post.description = scanText(&rng)
            case 1: post.title = scanText(&rng)
            case 2: post.hashtags = [scanText(&rng), scanText(&rng)]
            default:
                post.captions = [Cue(start: 0, end: 1, text: scanText(&rng)), Cue(start: 1, end: 2, text: scanText(&rng))]
            }
            guard post.hasText else { continue }
            let configuration = [FeatureExtractor.Configuration(), weighted, binary, plain][k % 4 == 3 ? 0 : (k / 4) % 4]
            let (reference, fast, c) = try bothPathsCounting(post.jsonLine, configuration: configuration)
            if !same(reference, fast) { differing.append(post.jsonLine) }
            counts.add(c)
            patternTokens += reference.filter { patternHashes.contains($0.0) }.count
        }
        #expect(differing.isEmpty, "differs: \(differing.prefix(5))")
        // Most of these texts must really take the scan's own pattern matching.
        #expect(counts.scannedPatterns > 3000, "\(counts)")
        #expect(patternTokens > 5000)
    }

    @Test("token texts built by the scan (for new tokens in training) equal the piece path's")
    func tokenTexts() throws {
        var binary = FeatureExtractor.Configuration()
        binary.binary = true
        var plain = FeatureExtractor.Configuration()
        plain.wordBigrams = false
        plain.cjkBigrams = false
        var lines = try fixtureLines()
        var rng = SplitMix(state: 0x5EED_0003)
        for k in 0..<4000 {
            var post = Post(id: "t:\(k)")
            let text = k % 2 == 0 ? scanText(&rng) : randomText(&rng, plain: k % 3 != 0)
            switch k % 4 {
            case 0: post.description = text
            case 1: post.title = text
            case 2: post.hashtags = [text, scanText(&rng)]
            default: post.captions = [Cue(start: 0, end: 1, text: text)]
            }
            if post.hasText { lines.append(post.jsonLine) }
        }
        var differing: [String] = []
        var counts = FeatureExtractor.FastPathCounts()
        for (k, line) in lines.enumerated() {
            let (reference, fast, c) = try bothPathsWithTexts(line, configuration: [.init(), binary, plain][k % 3])
            if !same(reference.tokens, fast.tokens) || reference.texts != fast.texts {
                differing.append(String(line.prefix(120)) + " \(zip(reference.texts, fast.texts).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "")")
            }
            counts.add(c)
        }
        #expect(differing.isEmpty, "differs: \(differing.prefix(5))")
        #expect(counts.tokenTexts > 3000, "\(counts)")
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
