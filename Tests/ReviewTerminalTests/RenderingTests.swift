import Foundation
import Posts
import ReviewQueue
import Testing

@testable import ReviewTerminal

/// The card layout, highlighting and key decoding, on bytes, without a terminal.
@Suite("review screen rendering")
struct RenderingTests {
    static let post = Post(
        id: "demo:zh-0074", platform: "x", url: "https://example.com/x/zh-0074", language: "zh",
        title: "🚐 Cruce seguro", description: "墨西哥接人 1.5万美金 电话 +1 555 0142 t.me/paso_seguro_demo",
        hashtags: ["墨西哥", "cruzar"],
        captions: [Cue(start: 0, end: 2, text: "salimos de noche"), Cue(start: 75.4, end: 80, text: "escríbeme al whats")])

    static let evidence = EvidenceRecord.decodeArray(#"""
        [{"flag":"guidance","kind":"phrase","text":"de noche","field":"captions","cue":0,"start":0,"range":[8,16],"weight":2.5},
         {"kind":"phone","text":"+1 555 0142","value":"+15550142","field":"description","range":[16,27]},
         {"kind":"price","text":"1.5万美金","value":"15000 USD","field":"description","range":[6,12]},
         {"kind":"telegram","text":"t.me/paso_seguro_demo","field":"description","range":[28,49]},
         {"flag":"contact","kind":"phrase","text":"seguro","field":"title","range":[8,14],"weight":1.2},
         {"kind":"whatsapp","text":"whats","field":"captions","cue":1,"start":75.4,"range":[13,18]},
         {"kind":"bogus"}]
        """#)

    static func card(shared: [SharedPostSummary] = []) -> ReviewCard {
        ReviewCard(
            item: ReviewItem(id: 7, postID: post.id, priority: 2.5, reason: "flag:contact", enqueuedAt: Date(timeIntervalSince1970: 0), state: .pending),
            post: post,
            prediction: Prediction(
                postID: post.id, modelVersion: "default@1", scores: ["contact": 0.999, "guidance": 0.42],
                decisions: ["contact": .flag, "guidance": .unsure]),
            evidence: evidence, shared: shared, labels: [])
    }

    @Test("evidence ranges count Unicode scalars (emoji and Chinese before the span)")
    func highlightsByScalarRange() throws {
        #expect(Self.evidence.count == 6, "the entry without text or field is left out")
        let renderer = CardRenderer(width: 80, color: true)
        let description = renderer.highlighted(Self.post.description!, field: "description", evidence: Self.evidence)
        let styled = zip(description.scalars, description.styles)
        let contact = String(String.UnicodeScalarView(styled.filter { $0.1 == .contact }.map(\.0)))
        #expect(contact == "+1 555 0142t.me/paso_seguro_demo")
        let price = String(String.UnicodeScalarView(styled.filter { $0.1 == .price }.map(\.0)))
        #expect(price == "1.5万美金")
        let title = renderer.highlighted(Self.post.title!, field: "title", evidence: Self.evidence)
        #expect(String(String.UnicodeScalarView(zip(title.scalars, title.styles).filter { $0.1 == .contactPhrase }.map(\.0))) == "seguro")
        // Caption evidence applies to its own cue only.
        let cue0 = renderer.highlighted("salimos de noche", field: "captions", index: 0, evidence: Self.evidence)
        let cue1 = renderer.highlighted("salimos de noche", field: "captions", index: 1, evidence: Self.evidence)
        #expect(cue0.styles.contains(.guidancePhrase))
        #expect(!cue1.styles.contains(.guidancePhrase))
    }

    @Test("a stale range falls back to the evidence text; missing text highlights nothing")
    func staleRanges() {
        let e = EvidenceRecord(kind: "phone", text: "555 0142", field: "description", range: [0, 8])
        #expect(e.scalarRange(in: Array("call 555 0142 now".unicodeScalars)) == 5..<13)
        #expect(e.scalarRange(in: Array("nothing here".unicodeScalars)) == nil)
        let bad = EvidenceRecord(kind: "phone", text: "x", field: "description", range: [5, 2])
        #expect(bad.scalarRange(in: Array("abc".unicodeScalars)) == nil)
    }

    @Test("colour: SGR codes around evidence, reset at the end; no colour: markers")
    func encodes() {
        var line = StyledText("call ")
        line.append("555 0142", .contact)
        line.append(" about ")
        line.append("night crossing", .guidancePhrase)
        #expect(Layout.encode(line, color: true) == "call \u{1B}[0m\u{1B}[1;30;43m555 0142\u{1B}[0m about \u{1B}[0m\u{1B}[1;4;35mnight crossing\u{1B}[0m")
        #expect(Layout.encode(line.withMarkers(), color: false) == "call [[555 0142]] about <<night crossing>>")
    }

    @Test("hostile text cannot send escape sequences to the terminal")
    func sanitizes() {
        let text = StyledText.sanitized("a\u{1B}]0;pwned\u{07}b\u{9B}c\u{202E}d\te\nf")
        #expect(text.plainString == "a\u{FFFD}]0;pwned\u{FFFD}b\u{FFFD}c\u{FFFD}d e\nf")
        #expect(text.count == "a\u{1B}]0;pwned\u{07}b\u{9B}c\u{202E}d\te\nf".unicodeScalars.count, "ranges still line up")
    }

    @Test("wrapping keeps every line within the width, counting wide characters as two", arguments: [20, 33, 80])
    func wraps(width: Int) {
        let text = StyledText(String(repeating: "墨西哥接人 cruzar la frontera de noche supercalifragilisticexpialidocious-long-word ", count: 4))
        let lines = Layout.wrap(text, width: width, prefix: StyledText("  "), indent: 2)
        #expect(lines.count > 1)
        for line in lines { #expect(Layout.width(line) <= width, "\(line.plainString)") }
        let rejoined = lines.map { $0.plainString.trimmingCharacters(in: .whitespaces) }.joined()
        #expect(rejoined.replacingOccurrences(of: " ", with: "") == text.plainString.replacingOccurrences(of: " ", with: ""), "nothing lost")
        #expect(DisplayWidth.of("墨西哥") == 6 && DisplayWidth.of("🚐") == 2 && DisplayWidth.of("e\u{301}") == 1)
    }

    @Test("the card shows fields, cue times, scores, evidence and shared posts")
    func cardBody() {
        let shared = [SharedPostSummary(
            shared: SharedContactPost(postID: "demo:zh-0206", contacts: [ContactIdentifier(kind: "phone", value: "15550142")]),
            currentLabel: ReviewQueue.Label(id: 3, postID: "demo:zh-0206", flags: [], reviewer: "bob", note: nil, createdAt: Date()))]
        let lines = CardRenderer(width: 72, color: false).body(Self.card(shared: shared)).map { Layout.encode($0, color: false) }
        let text = lines.joined(separator: "\n")
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 72 })
        #expect(text.contains("demo:zh-0074  x  lang zh"))
        #expect(text.contains("  00:00  salimos <<de noche>>"))
        #expect(text.contains("  01:15  escríbeme al [[whats]]"))
        #expect(text.contains("[[+1 555 0142]]"))
        #expect(text.contains("[[1.5万美金]]"))
        #expect(text.contains("#墨西哥 #cruzar"))
        #expect(text.contains("  contact     0.99  flag") || text.contains("  contact   1.00  flag"))
        #expect(text.contains("  guidance  0.42  unsure"))
        #expect(text.contains("demo:zh-0206  [[phone 15550142]]  labelled benign"))
        #expect(!text.contains("\u{1B}"))
        #expect(CardRenderer.timestamp(3725) == "1:02:05")
    }

    @Test("keys: arrows, pages, UTF-8 text, control keys")
    func keys() {
        #expect(Key.decode(Array("\u{1B}[A\u{1B}[B\u{1B}[5~\u{1B}[6~\u{1B}OA".utf8)) == [.up, .down, .pageUp, .pageDown, .up])
        #expect(Key.decode(Array("gé微\r\u{7F}\u{03}\u{1B}".utf8)) == [.character("g"), .character("é"), .character("微"), .enter, .backspace, .control("c"), .escape])
        #expect(Key.decode([0x0D, 0x0A]) == [.enter])
    }

    @Test("key bindings follow the store's flags")
    func bindings() {
        let standard = KeyBindings(flags: ["contact", "guidance"])
        #expect(standard.letter["g"] == ["guidance"] && standard.letter["b"] == ["contact", "guidance"])
        #expect(standard.hints.map(\.0).prefix(4) == ["g", "c", "b", "n"])
        let spam = KeyBindings(flags: ["phishing", "spam"])
        #expect(spam.letter.isEmpty)
        #expect(spam.numbered == ["phishing", "spam"])
        #expect(spam.hints.first! == ("1–2", "flags"))
    }
}
