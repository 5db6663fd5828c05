import Foundation
@testable import Posts
import SmuggleWatchTesting
import Testing

/// `PostText` (the classifier's byte-level reader) must accept only lines `Post` accepts, and
/// give the same id, labels and texts.

private func fixtureLines() throws -> [String] {
    var lines: [String] = []
    for name in ["Fixtures/corpus/train.jsonl", "Fixtures/corpus/test.jsonl", "Fixtures/demo/posts.jsonl"] {
        lines += try String(contentsOfFile: TestSupport.path(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }
    return lines
}

/// The texts of a post in the order the extractor reads them.
private func fields(of post: Post) -> [String] {
    [post.title, post.description].compactMap { $0 } + post.hashtags + post.captions.map(\.text)
}

/// The fast scan alone (no fallback to `Post`'s parser): nil when it declines the line.
private func fastScan(_ bytes: [UInt8]) -> (id: String, labels: [String]?, fields: [String])? {
    bytes.withUnsafeBytes { raw in
        var text = PostText()
        do throws(LineError) { try text.parse(raw) } catch { return nil }
        return (text.id, text.labels, text.fields.map(\.text))
    }
}

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

@Suite("Reading post text as bytes")
struct PostTextTests {
    @Test("every fixture line: same id, labels and texts as Post")
    func fixtures() throws {
        for line in try fixtureLines() {
            let post = try Post(jsonLine: line)
            let fast = try #require(fastScan(Array(line.utf8)), "declined: \(line.prefix(60))")
            #expect(fast.id == post.id)
            #expect(fast.labels == post.labels)
            #expect(fast.fields == fields(of: post))
        }
    }

    @Test("corrupted lines: the fast scan never accepts what Post refuses, and agrees when both accept")
    func corrupted() throws {
        var rng = SplitMix(state: 42)
        let lines = try fixtureLines()
        let inserts: [[UInt8]] = [
            [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], Array(#"\"#.utf8), Array(#"\u00e9"#.utf8),
            Array(#"\ud800"#.utf8), Array(#"\ud83d\ude00"#.utf8), Array(#"\x"#.utf8), Array("\"".utf8), Array("null".utf8), Array("1e999".utf8),
            Array(",".utf8), Array("}".utf8), Array("[".utf8), Array(":".utf8), [0x00], Array("\u{200B}".utf8),
        ]
        var accepted = 0
        var declined = 0
        for k in 0..<6000 {
            var bytes = Array(lines[k % lines.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes.remove(at: at)
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                default: bytes.insert(contentsOf: inserts.randomElement(using: &rng)!, at: at)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let post = bytes.withUnsafeBytes { try? Post(jsonLine: $0) }
            let fast = fastScan(bytes)
            if let fast {
                let p = try #require(post, "fast scan accepted a line Post refuses: \(String(decoding: bytes, as: UTF8.self))")
                #expect(fast.id == p.id && fast.labels == p.labels && fast.fields == fields(of: p))
                accepted += 1
            } else if post != nil {
                declined += 1
            }
        }
        #expect(accepted > 1000)
        #expect(declined < accepted / 10)
    }

    @Test("UTF-8 validation agrees with String(validating:)")
    func validation() {
        var rng = SplitMix(state: 7)
        let pieces: [[UInt8]] = [
            Array("plain ascii text ".utf8), Array("ñandú 走线 😀".utf8), [0x80], [0xC2], [0xC2, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0x80],
            [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE],
            // Runs of 3-byte characters (read one load each) and near misses in their middle.
            Array("中文字符走线偷渡".utf8), Array("微信二维码".utf8), [0xE1, 0x80, 0x80], [0xEC, 0xBF, 0xBF], [0xEE, 0x80, 0x80],
            [0xE4, 0xB8], [0xE4, 0x41, 0x80], [0xE4, 0xB8, 0x41], [0xE4, 0xB8, 0xC0], [0xE4, 0xC0, 0x80], [0xF0, 0xB8, 0xAD],
        ]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &rng) { bytes += pieces.randomElement(using: &rng)! }
            if Bool.random(using: &rng), !bytes.isEmpty { bytes.removeLast() }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBytes { UTF8Bytes.isValid($0) } == expected, "\(bytes)")
        }
    }

    @Test("the byte reader skips and counts the same lines as the Post reader")
    func readerParity() throws {
        var text = try fixtureLines().prefix(50).joined(separator: "\n") + "\n"
        text += "not json\n{\"id\":\"x\"}\n\n{\"id\":\"\",\"title\":\"t\"}\n{\"id\":\"y\",\"title\":\"caf\\u00e9\",\"labels\":null}\n"
        let path = try TestSupport.temporaryFile(text: text)
        var ids: [String] = []
        var texts: [[String]] = []
        let posts = try PostReader().forEachPost(in: path) { p in
            ids.append(p.id)
            texts.append(fields(of: p))
        }
        var k = 0
        let fast = try PostReader().forEachPostText(in: path) { t in
            #expect(t.id == ids[k])
            #expect(t.fields.map(\.text) == texts[k])
            k += 1
        }
        #expect(fast == posts)
        #expect(posts.skipped == 3 && posts.posts == 51)
    }
}
