import Captions
import Testing

@Suite struct SRTTests {
    @Test func parsesTheSampleFile() throws {
        let srt = try SRTDocument(bytes: Fixtures.bytes("sample.srt"), url: "sample.srt")
        #expect(srt.subtitles.map(\.index) == [1, 3, nil, 4])
        #expect(srt.subtitles.map(\.start) == [1, 3.5, 6, 8.25])
        #expect(srt.subtitles[1].proprietary == "X1:40 X2:600")
        #expect(srt.subtitles[1].content == "{\\an8}Sunny in the north,\nrain in the south.")
        let cues = srt.captionCues()
        #expect(cues.map(\.text) == ["Good morning, here is the weather.", "Sunny in the north,\nrain in the south.",
                                     "No index on this one.", "See you tomorrow."])
    }

    @Test func timestamps() {
        #expect(SRTDocument.timestamp("01:02:03,004") == 3723.004)
        #expect(SRTDocument.timestamp("01:02:03.004") == 3723.004)
        #expect(SRTDocument.timestamp("00:00:01") == 1)
        #expect(SRTDocument.timestamp("00t00:01,000") == nil)
        #expect(SRTDocument.timestamp("") == nil)
        #expect(SRTDocument.timestamp("99999999999999999999:00:00,000") != nil)
    }

    @Test func garbageNamesTheLine() {
        let input = "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n7\n00:00:05,000 garbage\n\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n"
        let error = #expect(throws: CaptionError.self) { try SRTDocument(bytes: Array(input.utf8), url: "movie.srt") }
        #expect(error?.code == .malformedBlock)
        #expect(error?.line == 5)
        #expect(error?.message.hasPrefix("'movie.srt' line 5:") == true)

        let leading = #expect(throws: CaptionError.self) { try SRTDocument(bytes: Array("garbage\n1\n00:00:01,000 --> 00:00:02,000\nx\n".utf8), url: "g.srt") }
        #expect(leading?.line == 1)
    }

    @Test func emptyAndWhitespaceFilesHaveNoSubtitles() throws {
        #expect(try SRTDocument(bytes: [UInt8](), url: "e.srt").subtitles.isEmpty)
        #expect(try SRTDocument(bytes: Array(" \n\n\t\n".utf8), url: "w.srt").subtitles.isEmpty)
    }

    @Test func latin1AndUTF16AreConverted() throws {
        let latin1: [UInt8] = Array("1\n00:00:01,000 --> 00:00:02,000\ncaf".utf8) + [0xE9] + Array(" cr".utf8) + [0xE8] + Array("me\n".utf8)
        #expect(try SRTDocument(bytes: latin1, url: "l.srt").subtitles.first?.content == "café crème")
        let text = "1\r\n00:00:01,000 --> 00:00:02,000\r\nПривет\r\n"
        let be: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try SRTDocument(bytes: be, url: "be.srt").subtitles.first?.content == "Привет")
        let error = #expect(throws: CaptionError.self) { try SRTDocument(bytes: latin1, url: "x.srt", encoding: "x-nonexistent") }
        #expect(error?.code == .unsupportedEncoding)
    }
}
