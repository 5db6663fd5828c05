import Captions
import Posts
import Testing

/// Malformed, truncated, huge and hostile inputs: a clear error or a harmless result, never a crash.
@Suite struct BadInputTests {
    /// Every prefix of every fixture parses or throws a CaptionError; nothing traps.
    @Test(arguments: ["sample.vtt", "rolling-auto.en.vtt", "sample.srt", "sample.ttml", "sample.srv3.xml", "sample.srv1.xml", "sample.json3"])
    func everyTruncationIsHandled(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let format = try #require(CaptionFormat.detect(bytes, name: name))
        var errors = 0
        for length in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 200)) {
            do {
                _ = try CaptionParser.cues(from: bytes.prefix(length), url: name, format: format)
            } catch {
                errors += 1
                #expect(error.message.contains(name))
            }
        }
        // The complete file parses.
        #expect(try !CaptionParser.cues(from: bytes, url: name, format: format).isEmpty)
        print("[bad-input] \(name): \(errors) of ~200 truncations were errors")
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 42)
        for round in 0..<300 {
            let count = Int(generator.next() % 600)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Bias towards syntax characters so the parsers get past their first checks.
            let prefixes: [[UInt8]] = [Array("WEBVTT\n\n".utf8), Array("1\n00:00:01,000 --> ".utf8), Array("<tt><body><p begin='".utf8),
                                       Array("{\"events\":[{\"segs\":[".utf8), Array("<timedtext format='3'><body><p t='".utf8)]
            bytes = prefixes[round % prefixes.count] + bytes
            for format in CaptionFormat.allCases {
                _ = try? CaptionParser.cues(from: bytes, url: "random-\(round)", format: format)
            }
        }
    }

    @Test func invalidTimestampsGiveClearErrorsOrAreSkipped() throws {
        let srt = "1\n00:00:01,000 --> 00:00:0x,000\nbroken\n"
        let error = #expect(throws: CaptionError.self) { try SRTDocument(bytes: Array(srt.utf8), url: "clip.srt") }
        #expect(error?.line == 2)
        #expect(error?.description.hasPrefix("invalidTimestamp: 'clip.srt' line 2: invalid timing line '00:00:01,000 --> 00:00:0x,000'") == true)
        // WebVTT drops a cue with bad timings and keeps the rest, as the W3C algorithm says.
        let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nbroken\n\n00:00:02.000 --> 00:00:03.000\nfine\n"
        #expect(try WebVTTDocument(bytes: Array(vtt.utf8), url: "clip.vtt").cues.map(\.text) == ["fine"])
    }

    @Test func hugeInputsStayLinearAndBounded() throws {
        // 20 MB: one enormous cue line, then a million tiny cues.
        var vtt = Array("WEBVTT\n\n00:00.000 --> 00:01.000\n".utf8)
        vtt += [UInt8](repeating: UInt8(ascii: "a"), count: 10_000_000)
        vtt += Array("\n\n".utf8)
        let clock = ContinuousClock()
        let started = clock.now
        let doc = try WebVTTDocument(bytes: vtt, url: "huge.vtt")
        #expect(doc.cues.count == 1)
        #expect(doc.cues[0].text.utf8.count == 10_000_000)
        let tags = Array("WEBVTT\n\n00:00.000 --> 00:01.000\n".utf8) + Array(repeating: Array("<c.a.b.c>&amp;".utf8), count: 200_000).flatMap { $0 }
        #expect(try WebVTTDocument(bytes: tags, url: "tags.vtt").cues[0].plainText.count == 200_000)
        #expect(clock.now - started < .seconds(30))
    }

    @Test func hostileXMLIsRefusedOrHarmless() throws {
        var lolz = "<?xml version=\"1.0\"?>\n<!DOCTYPE tt [\n <!ENTITY l0 \"lol\">\n"
        for i in 1...9 { lolz += " <!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">\n" }
        lolz += "]>\n<tt xmlns='http://www.w3.org/ns/ttml'><body><p begin='0s' end='1s'>&l9;</p></body></tt>"
        do {
            let cues = try TTMLDocument(bytes: Array(lolz.utf8), url: "lolz.ttml").captionCues()
            #expect(cues.map(\.text.utf8.count).reduce(0, +) < 1 << 20)
        } catch {
            #expect(error.message.contains("lolz.ttml"))
        }
        let xxe = "<!DOCTYPE tt [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><tt><body><p begin='0s' end='1s'>[&x;]</p></body></tt>"
        let cues = try TTMLDocument(bytes: Array(xxe.utf8), url: "xxe.ttml").captionCues()
        #expect(cues.map(\.text) == ["[]"])
        let srv = "<!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><transcript><text start='0' dur='1'>a&x;b</text></transcript>"
        #expect(try YouTubeTimedText(bytes: Array(srv.utf8), url: "xxe.srv1").cues.map(\.text) == ["ab"])
    }
}

/// A seeded generator so the random-bytes test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
