import Captions
import Foundation
import Testing

/// mozilla/vtt.js parser tests (264 cases): cue count, and each cue's id, start, end and raw text.
///
/// vtt.js follows a 2013–2016 draft; settings (`align: middle`, old regions) are not compared, only timing,
/// identifiers and text. vtt.js lists cues in file order, so ours are put back in file order for the comparison.
@Suite(.enabled(if: External.isAvailable("mozilla-vttjs"), "../shared/external/mozilla-vttjs is absent"))
struct MozillaVTTJSConformanceTests {
    @Test func timingIdentifiersAndText() throws {
        let manifest = try #require(try External.json("mozilla-vttjs/manifest.json") as? [String: Any])
        let cases = try #require(manifest["cases"] as? [[String: Any]])
        var tally = Tally()
        for c in cases {
            let input = "mozilla-vttjs/" + (c["input"] as? String ?? "")
            guard let expectedPath = c["expected_parse"] as? String,
                  let expected = try External.json("mozilla-vttjs/" + expectedPath) as? [String: Any] else { continue }
            let expectedCues = expected["cues"] as? [[String: Any]] ?? []
            let bytes = try External.bytes(input)
            let cues = ((try? WebVTTDocument(bytes: bytes, url: input))?.cues ?? []).sorted { $0.sourceLine < $1.sourceLine }
            tally.check(cues.count == expectedCues.count, "\(input): \(expectedCues.count) cues expected, got \(cues.count)")
            for (i, e) in expectedCues.enumerated() {
                guard i < cues.count else {
                    for field in ["id", "startTime", "endTime", "text"] { tally.check(false, "\(input) cue \(i) \(field): missing") }
                    continue
                }
                let cue = cues[i]
                tally.check(cue.id == e["id"] as? String, "\(input) cue \(i) id: \(e["id"] ?? "") vs \(cue.id.debugDescription)")
                tally.check(abs(cue.startTime - ((e["startTime"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-9, "\(input) cue \(i) start: \(e["startTime"] ?? "") vs \(cue.startTime)")
                tally.check(abs(cue.endTime - ((e["endTime"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-9, "\(input) cue \(i) end: \(e["endTime"] ?? "") vs \(cue.endTime)")
                tally.check(cue.text == e["text"] as? String, "\(input) cue \(i) text: \((e["text"] as? String ?? "").debugDescription) vs \(cue.text.debugDescription)")
            }
        }
        tally.report("mozilla/vtt.js (cue counts, ids, timing, text)")
        #expect(tally.rate >= 0.95)
    }
}
