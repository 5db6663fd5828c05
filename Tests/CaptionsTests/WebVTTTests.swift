import Captions
import Posts
import Testing

@Suite struct WebVTTTests {
    @Test func parsesTheSampleFile() throws {
        let vtt = try WebVTTDocument(bytes: Fixtures.bytes("sample.vtt"), url: "sample.vtt")
        #expect(vtt.cues.count == 5)
        #expect(vtt.styleSheets == ["::cue(.loud) { font-weight: bold }"])
        let region = try #require(vtt.regions.first)
        #expect(region.id == "bottom")
        #expect(region.width == 80)
        #expect(region.lines == 2)
        #expect(region.viewportAnchorX == 10 && region.viewportAnchorY == 90)
        #expect(region.scroll == .up)

        let intro = vtt.cues[0]
        #expect(intro.id == "intro")
        #expect(intro.startTime == 1 && intro.endTime == 4)
        #expect(intro.region == 0)
        #expect(intro.align == .start)
        #expect(intro.plainText == "Welcome to the river walk & picnic.")
        #expect(intro.sourceLine == 15)

        let second = vtt.cues[1]
        #expect(second.line == 10 && second.snapToLines == false)
        #expect(second.position == 40 && second.positionAlign == .lineLeft)
        #expect(second.size == 60)
        #expect(second.plainText == "The water is calm today\u{A0}— enjoy it.")

        let ruby = vtt.cues[2]
        #expect(ruby.startTime == 7.5)
        #expect(ruby.vertical == .rl && ruby.line == -1 && ruby.lineAlign == .end)
        #expect(ruby.plainText == "川 means river.")

        #expect(vtt.cues[3].plainText == "Bring a hat and water.\nSecond line <3")
        #expect(vtt.cues[3].nodes.contains(.timestamp(11)))
        // The empty last cue is kept in the document but not turned into a Cue.
        #expect(vtt.cues[4].text.isEmpty)
        let cues = vtt.captionCues(track: "en")
        #expect(cues.count == 4)
        #expect(cues.allSatisfy { $0.track == "en" })
    }

    @Test func lineEndingsBOMAndNulls() throws {
        let crlf = "\u{FEFF}WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nA\u{0}B\r\nC\r\n\r\n00:03.000 --> 00:04.000\rD"
        let vtt = try WebVTTDocument(bytes: Array(crlf.utf8), url: "crlf.vtt")
        #expect(vtt.cues.map(\.text) == ["A\u{FFFD}B\nC", "D"])
        #expect(vtt.cues.map(\.startTime) == [1, 3])
    }

    @Test func utf16WithBOM() throws {
        let text = "WEBVTT\n\n00:00.000 --> 00:01.000\nGrüße 中文\n"
        let le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try WebVTTDocument(bytes: le, url: "le.vtt").cues.first?.text == "Grüße 中文")
    }

    @Test func invalidTimestampsSkipTheCueNotTheFile() throws {
        let text = "WEBVTT\n\n00:00:61.000 --> 00:01.000\nbad seconds\n\n1:2.3 --> x\nbad\n\n00:01.000 --> 00:02.000\ngood\n"
        let vtt = try WebVTTDocument(bytes: Array(text.utf8), url: "t.vtt")
        #expect(vtt.cues.map(\.text) == ["good"])
    }

    @Test(arguments: [
        ("", 1), ("WEBVT", 1), ("WEBVTTX\n\n00:00.000 --> 00:01.000\nx", 1), ("1\n00:00:01,000 --> 00:00:02,000\nSRT", 1),
    ])
    func rejectsFilesWithoutSignature(_ input: String, _ line: Int) {
        let error = #expect(throws: CaptionError.self) { try WebVTTDocument(bytes: Array(input.utf8), url: "https://example.org/x.vtt") }
        #expect(error?.code == .invalidSignature)
        #expect(error?.line == line)
        #expect(error?.message.contains("https://example.org/x.vtt") == true)
    }

    @Test func deeplyNestedTagsAreFlattenedNotACrash() throws {
        let deep = String(repeating: "<b>", count: 100_000) + "x" + String(repeating: "</b>", count: 100_000)
        let vtt = try WebVTTDocument(bytes: Array("WEBVTT\n\n00:00.000 --> 00:01.000\n\(deep)".utf8), url: "deep.vtt")
        #expect(vtt.cues[0].plainText == "x")
        #expect(vtt.cues[0].nodes.count == 1)
    }
}

@Suite struct WebVTTPlainTextEquivalenceTests {
    /// The text of a node tree, skipping ruby annotations: what `plainText` must produce without building the tree.
    static func flatten(_ nodes: [WebVTTNode]) -> String {
        nodes.map { node -> String in
            switch node {
            case .text(let s): return s
            case .timestamp: return ""
            case .element(let e): return e.kind == .rubyText ? "" : flatten(e.children)
            }
        }.joined()
    }

    static let tricky = [
        "a<c.d e>b</c>c", "<ruby>x<rt>y</rt>z</ruby>w", "<ruby>x<rt>y</ruby>w", "<rt>not ruby</rt>", "&amp&lt;&notit;&#x41;&#0;",
        "<v.a.b Some Body>hi</v>", "<lang en>hello</lang>", "<00:00:01.000>t<1>x", "<b><i>x</b>y</i>z", "</>x<>y< z>", "<c.\nx",
        "a<v &amp; >b", "<ruby>test<rt><b>test</rt></ruby></b>test", "a&", "&#", "&#x;", "<", "<c", "a<i", "</i",
    ]

    @Test(arguments: tricky)
    func plainTextMatchesTheTree(_ text: String) throws {
        let vtt = try WebVTTDocument(bytes: Array("WEBVTT\n\n00:00.000 --> 00:01.000\n\(text)".utf8), url: "t.vtt")
        let cue = try #require(vtt.cues.first)
        #expect(cue.plainText == Self.flatten(cue.nodes))
    }

    @Test func randomTagSoupMatchesTheTree() throws {
        var generator = SplitMix64(seed: 7)
        let pieces = ["<c>", "</c>", "<i.x>", "</i>", "<ruby>", "<rt>", "</rt>", "</ruby>", "<v a>", "</v>", "&amp;", "&lt", "&#65;",
                      "<00:00:01.000>", "text", " ", "\n", "<", ">", "&", "<lang fr>", "</lang>", "<b", "é", "中"]
        for _ in 0..<500 {
            let text = (0..<Int(generator.next() % 20)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            guard let vtt = try? WebVTTDocument(bytes: Array("WEBVTT\n\n00:00.000 --> 00:01.000\n\(text)".utf8), url: "r.vtt"),
                  let cue = vtt.cues.first else { continue }
            #expect(cue.plainText == Self.flatten(cue.nodes), "\(text.debugDescription)")
        }
    }
}
