import Captions
import Foundation
import Testing

/// cdown/srt behaviours as concrete cases (29) plus its two real files (ASCII and GB2312).
@Suite(.enabled(if: External.isAvailable("srt-cdown"), "../shared/external/srt-cdown is absent"))
struct SRTConformanceTests {
    @Test func cdownCases() throws {
        let root = try #require(try External.json("srt-cdown/cases.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        var tally = Tally()
        for (n, c) in cases.enumerated() {
            let name = "\(n) \(c["upstream_property"] ?? "") (\(c["description"] ?? ""))"
            let expected = c["expected"] as? [String: Any] ?? [:]
            if let timestamp = c["input_timestamp"] as? String {
                let value = SRTDocument.timestamp(timestamp)
                if expected["error"] != nil {
                    tally.check(value == nil, "\(name): should be rejected, got \(value ?? -1)")
                } else {
                    let ms = (expected["ms"] as? NSNumber)?.doubleValue ?? -1
                    tally.check(value.map { abs($0 * 1000 - ms) < 1e-6 } ?? false, "\(name): \(ms) ms, got \(value ?? -1)")
                }
                continue
            }
            let input = c["input"] as? String ?? ""
            let document = Result { try SRTDocument(bytes: Array(input.utf8), url: "cdown-case-\(n).srt") }
            if expected["error"] != nil {
                tally.check((try? document.get()) == nil, "\(name): should be an error")
                continue
            }
            guard let subtitles = try? document.get().subtitles else {
                let message: String
                if case .failure(let e) = document { message = "\(e)" } else { message = "" }
                tally.check(false, "\(name): error \(message)")
                continue
            }
            let want = expected["subtitles"] as? [[String: Any]] ?? []
            tally.check(subtitles.count == want.count, "\(name): \(want.count) subtitles, got \(subtitles.count)")
            for (i, w) in want.enumerated() where i < subtitles.count {
                let s = subtitles[i]
                let index = (w["index"] as? NSNumber)?.intValue
                tally.check(s.index == index, "\(name) #\(i) index \(index ?? -999) vs \(s.index ?? -999)")
                tally.check(abs(s.start * 1000 - ((w["start_ms"] as? NSNumber)?.doubleValue ?? -1)) < 1e-6, "\(name) #\(i) start")
                tally.check(abs(s.end * 1000 - ((w["end_ms"] as? NSNumber)?.doubleValue ?? -1)) < 1e-6, "\(name) #\(i) end")
                tally.check(s.content == w["content"] as? String, "\(name) #\(i) content \((w["content"] as? String ?? "").debugDescription) vs \(s.content.debugDescription)")
                tally.check(s.proprietary == w["proprietary"] as? String, "\(name) #\(i) proprietary")
            }
        }
        tally.report("cdown/srt cases")
        #expect(tally.rate >= 0.95)
    }

    @Test func realFilesASCIIAndGB2312() throws {
        let ascii = try SRTDocument(bytes: External.bytes("srt-cdown/files/ascii.srt"), url: "ascii.srt")
        #expect(ascii.subtitles.map(\.index) == [2, 4, 6])
        #expect(ascii.subtitles.map(\.content) == ["ascii", "oh look", "ascii everywhere"])
        #expect(ascii.subtitles.map { Int(($0.start * 1000).rounded()) } == [27000, 31500, 34100])
        #expect(ascii.subtitles.map { Int(($0.end * 1000).rounded()) } == [30730, 34100, 36570])
        // Not UTF-8: detected as GB18030 (a superset of GB2312) and converted.
        let gb = try SRTDocument(bytes: External.bytes("srt-cdown/files/gb2312.srt"), url: "gb2312.srt")
        #expect(gb.subtitles.map(\.index) == [2, 4, 6])
        #expect(gb.subtitles.allSatisfy { $0.content.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } })
        #expect(!gb.subtitles.contains { $0.content.contains("\u{FFFD}") })
        print("[conformance] gb2312.srt: \(gb.subtitles.map(\.content))")
    }
}
