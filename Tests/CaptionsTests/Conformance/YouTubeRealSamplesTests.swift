import Captions
import Foundation
import Posts
import Testing

/// Real YouTube tracks (17 WebVTT, 1 TTML) from yt-dlp, the youtube-transcript-api srv1 sample and pytube's case.
@Suite(.enabled(if: External.isAvailable("youtube-real-samples"), "../shared/external/youtube-real-samples is absent"))
struct YouTubeRealSamplesTests {
    @Test func realTracks() throws {
        let manifest = try #require(try External.json("youtube-real-samples/manifest.json") as? [String: Any])
        let captions = try #require(manifest["captions"] as? [[String: Any]])
        var tally = Tally()
        for entry in captions {
            let file = entry["file"] as? String ?? ""
            let path = "youtube-real-samples/" + file
            let bytes = try External.bytes(path)
            let expectedCount = (entry["cue_count"] as? NSNumber)?.intValue ?? -1
            // yt-dlp labelled these "json3"; the content says otherwise and wins.
            let format = CaptionFormat.detect(bytes, name: "track.json3")
            tally.check(format == (entry["format"] as? String == "ttml" ? .ttml : .webVTT), "\(file): detected \(String(describing: format))")
            let rawCount: Int
            switch format {
            case .webVTT?: rawCount = try WebVTTDocument(bytes: bytes, url: path).cues.count
            case .ttml?: rawCount = try TTMLDocument(bytes: bytes, url: path).paragraphs.count
            default: rawCount = -1
            }
            tally.check(rawCount == expectedCount, "\(file): \(expectedCount) cues expected, got \(rawCount)")
            let cues = try CaptionParser.cues(from: bytes, url: path, track: entry["lang"] as? String)
            tally.check(!cues.isEmpty && cues.allSatisfy { !$0.text.isEmpty && $0.end >= $0.start }, "\(file): empty or inverted cues")
            tally.check(!cues.contains { $0.text.contains("<") || $0.text.contains("&amp;") }, "\(file): markup left in text")
            // After de-duplication no cue starts with the line the previous cue ended with.
            let repeats = zip(cues, cues.dropFirst()).filter { a, b in
                a.text.split(separator: "\n").last.map { b.text.hasPrefix($0) && !$0.isEmpty } ?? false
            }.count
            tally.check(repeats <= max(1, cues.count / 20), "\(file): \(repeats) cues still repeat the previous line")
            if file.hasSuffix("auto.en.vtt") {
                tally.check(RollingCaptions.isRolling(try WebVTTDocument(bytes: bytes, url: path).captionCues()), "\(file): should look rolling")
                // 103 cues: about half are 10 ms transition cues repeating one line; one cue per spoken line remains.
                tally.check(cues.count <= expectedCount / 2 + 1, "\(file): de-dup kept \(cues.count) of \(expectedCount)")
                let text = cues.map(\.text).joined(separator: " ")
                tally.check(text.contains("We're no strangers to"), "\(file): first line missing")
                tally.check(text.components(separatedBy: "We're no strangers to").count == 2, "\(file): first line repeated")
            }
        }
        tally.report("YouTube real tracks (detection, cue counts, clean text, de-dup)")
        #expect(tally.rate >= 0.95)
    }

    @Test func transcriptApiSrv1AndPytube() throws {
        let expectations = try #require(try External.json("youtube-real-samples/expectations.json") as? [String: Any])
        var tally = Tally()
        let api = expectations["youtube_transcript_api"] as? [String: Any] ?? [:]
        for c in api["cases"] as? [[String: Any]] ?? [] {
            guard let snippets = c["expected_snippets"] as? [[String: Any]], let input = c["input"] as? String else { continue }
            let cues = try CaptionParser.cues(from: External.bytes("youtube-real-samples/" + input), url: input)
            tally.check(cues.count == snippets.count, "\(input): \(snippets.count) snippets, got \(cues.count)")
            for (cue, s) in zip(cues, snippets) {
                tally.check(cue.text == s["text"] as? String, "\(input): text \(s["text"] ?? "") vs \(cue.text)")
                let start = (s["start"] as? NSNumber)?.doubleValue ?? -1
                let duration = (s["duration"] as? NSNumber)?.doubleValue ?? -1
                tally.check(abs(cue.start - start) < 1e-6 && abs(cue.end - cue.start - duration) < 1e-6, "\(input): timing")
            }
        }
        if let pytube = expectations["pytube_legacy_timedtext"] as? [String: Any],
           let xml = pytube["input_xml"] as? String, let srt = pytube["expected_srt"] as? String {
            let cues = try CaptionParser.cues(from: Array(xml.utf8), url: "pytube.xml")
            let expected = try SRTDocument(bytes: Array(srt.utf8), url: "pytube.srt").subtitles
            tally.check(cues.count == expected.count, "pytube: count")
            for (cue, s) in zip(cues, expected) {
                tally.check(cue.text == s.content && abs(cue.start - s.start) < 1e-6 && abs(cue.end - s.end) < 1e-6,
                            "pytube: \(cue) vs \(s)")
            }
        }
        tally.report("YouTube srv1 (youtube-transcript-api, pytube)")
        #expect(tally.total >= 5)
        #expect(tally.rate >= 0.95)
    }
}
