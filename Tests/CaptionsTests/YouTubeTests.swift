import Captions
import Posts
import Testing

@Suite struct YouTubeTests {
    @Test func srv3() throws {
        let doc = try YouTubeTimedText(bytes: Fixtures.bytes("sample.srv3.xml"), url: "sample.srv3.xml")
        #expect(doc.variant == .srv3)
        #expect(doc.cues.map(\.text) == ["today we bake bread", "first mix the flour & salt", "then add\nwarm water"])
        #expect(doc.cues.map(\.start) == [0.32, 3.8, 6.8])
        #expect(abs(doc.cues[0].end - 3.79) < 1e-9)
    }

    @Test func srv1DoubleEscaped() throws {
        let doc = try YouTubeTimedText(bytes: Fixtures.bytes("sample.srv1.xml"), url: "sample.srv1.xml")
        #expect(doc.variant == .srv1)
        #expect(doc.cues.map(\.text) == ["Hey, this is a test & more", "this is not the original line", "it's shorter"])
        #expect(doc.cues.map(\.start) == [0, 1.54, 5.7])
    }

    @Test func json3() throws {
        let doc = try JSON3Document(bytes: Fixtures.bytes("sample.json3"), url: "sample.json3")
        let cues = doc.captionCues(track: "en.auto")
        #expect(cues.map(\.text) == ["today we bake bread", "first mix the flour & salt 🍞", "café \"crème\""])
        #expect(cues.map(\.start) == [0.32, 3.8, 6.8])
        #expect(cues.allSatisfy { $0.track == "en.auto" })
    }

    @Test(arguments: ["", "{", "{\"events\": [", "[]", "{\"events\": 3}", "{\"a\":1} x", String(repeating: "[", count: 10_000)])
    func badJSON3(_ input: String) {
        let error = #expect(throws: CaptionError.self) { try JSON3Document(bytes: Array(input.utf8), url: "bad.json3") }
        #expect(error?.code == .malformedDocument)
        #expect(error?.message.contains("bad.json3") == true)
    }
}
