import Captions
import Testing

@Suite struct CaptionFormatTests {
    @Test(arguments: [
        ("sample.vtt", CaptionFormat.webVTT), ("rolling-auto.en.vtt", .webVTT), ("sample.srt", .srt), ("sample.ttml", .ttml),
        ("sample.srv3.xml", .youTubeTimedText), ("sample.srv1.xml", .youTubeTimedText), ("sample.json3", .json3),
    ])
    func detectsFixturesByContent(_ name: String, _ format: CaptionFormat) throws {
        // A misleading name: content wins.
        #expect(CaptionFormat.detect(try Fixtures.bytes(name), name: "mislabelled.json3") == format)
        #expect(try !CaptionParser.cues(from: Fixtures.bytes(name), url: name).isEmpty)
    }

    @Test func fallsBackToTheExtension() {
        #expect(CaptionFormat.detect([UInt8](), name: "https://example.org/track.vtt?lang=es") == .webVTT)
        #expect(CaptionFormat.detect(Array("hello".utf8), name: "a.srt") == .srt)
        #expect(CaptionFormat.detect(Array("hello".utf8), name: "notes.txt") == nil)
        let error = #expect(throws: CaptionError.self) { try CaptionParser.cues(from: Array("hello".utf8), url: "notes.txt") }
        #expect(error?.code == .unknownFormat)
        #expect(error?.message.contains("notes.txt") == true)
    }

    @Test func srtWithoutIndexIsDetected() {
        #expect(CaptionFormat.detect(Array("00:00:01,000 --> 00:00:02,000\nhi\n".utf8)) == .srt)
        #expect(CaptionFormat.detect(Array("\u{FEFF}12\r\n00:00:01,000 --> 00:00:02,000\r\nhi".utf8)) == .srt)
    }
}
