import Captions
import Posts
import Testing

@Suite struct TTMLTests {
    @Test func parsesTheSampleFile() throws {
        let ttml = try TTMLDocument(bytes: Fixtures.bytes("sample.ttml"), url: "sample.ttml")
        let cues = ttml.captionCues(track: "es")
        let expected: [(Double, Double, String)] = [
            (1, 3.48, "Hoy hacemos\npan casero"),
            (3, 4, "Primero,"),
            (4, 6, "Primero, la harina"),
            (7, 9, "con   agua"),
            (10, 11.5, "y después"),
            (11.5, 13.5, "esperamos una hora"),
        ]
        #expect(cues.count == expected.count)
        for (cue, want) in zip(cues, expected) {
            #expect(abs(cue.start - want.0) < 1e-9)
            #expect(abs(cue.end - want.1) < 1e-9)
            #expect(cue.text == want.2)
        }
        #expect(ttml.changePoints.first == 0)
    }

    @Test func legacyDFXPNamespaceAndNoNamespace() throws {
        let dfxp = "<tt xmlns='http://www.w3.org/2006/10/ttaf1'><body><div><p begin='1.5s' end='2s'>old</p></div></body></tt>"
        #expect(try TTMLDocument(bytes: Array(dfxp.utf8), url: "a.dfxp").captionCues().map(\.text) == ["old"])
        let bare = "<tt><body><p begin='00:00:01.000' end='00:00:02.000'>bare</p></body></tt>"
        #expect(try TTMLDocument(bytes: Array(bare.utf8), url: "b.xml").captionCues().first?.start == 1)
    }

    @Test func badDocumentsGiveClearErrors() {
        let truncated = #expect(throws: CaptionError.self) {
            try TTMLDocument(bytes: Array("<tt xmlns='http://www.w3.org/ns/ttml'><body><p begin='1s'>cut".utf8), url: "https://example.org/cut.ttml")
        }
        #expect(truncated?.code == .malformedDocument)
        #expect(truncated?.message.contains("https://example.org/cut.ttml") == true)
        let notTTML = #expect(throws: CaptionError.self) { try TTMLDocument(bytes: Array("<html/>".utf8), url: "page.html") }
        #expect(notTTML?.message.contains("<html>") == true)
    }

    @Test func invalidTimeExpressionsAreIgnoredNotFatal() throws {
        let doc = "<tt xmlns='http://www.w3.org/ns/ttml'><body><p begin='soon' end='2s'>a</p><p begin='00:99:00' end='3s'>b</p></body></tt>"
        let cues = try TTMLDocument(bytes: Array(doc.utf8), url: "t.ttml").captionCues()
        #expect(cues.map(\.text) == ["a", "b"])
        #expect(cues.map(\.start) == [0, 0])
    }
}
