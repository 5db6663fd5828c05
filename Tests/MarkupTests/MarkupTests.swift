import Foundation
import Markup
import Testing

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct XMLDocumentTests {
    @Test func navigatesElementsAttributesAndNamespaces() throws {
        let doc = try XMLDocument(bytes: bytes("""
            <?xml version="1.0"?>
            <tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling">
              <body><div><p begin="1s" tts:color="red">Hello <span>big</span><br/>world</p></div></body>
            </tt>
            """), url: "inline.ttml")
        let root = doc.root
        #expect(root.name == "tt")
        #expect(root.namespaceURI == "http://www.w3.org/ns/ttml")
        let p = try #require(root.nodes("//t:p", namespaces: ["t": "http://www.w3.org/ns/ttml"]).first)
        #expect(p.attribute("begin") == "1s")
        #expect(p.attribute("color") == nil)
        #expect(p.attribute("color", namespace: "http://www.w3.org/ns/ttml#styling") == "red")
        #expect(p.text == "Hello bigworld")
        #expect(p.childNodes.map(\.kind) == [.text, .element, .element, .text])
        #expect(p.children.map(\.name) == ["span", "br"])
        #expect(p.line == 3)
        #expect(p.attributes.map(\.name) == ["begin", "color"])
        #expect(try doc.xpath("count(//*)").string == "6")
        #expect(try doc.xpath("string(//*[local-name()='span'])").string == "big")
        #expect(try doc.xpath("1 = 1") .string == "true")
    }

    @Test func malformedXMLNamesTheURLAndLine() throws {
        let error = try #require(throws: MarkupError.self) {
            try XMLDocument(bytes: bytes("<a>\n<b>\n</a>"), url: "https://example.org/bad.xml")
        }
        #expect(error.code == .malformedDocument)
        #expect(error.line == 3)
        #expect(error.message.contains("https://example.org/bad.xml"))
        #expect(error.message.contains("line 3"))
    }

    @Test func truncatedAndEmptyDocumentsThrow() {
        #expect(throws: MarkupError.self) { try XMLDocument(bytes: bytes("<rss><channel><title>Half"), url: "t.xml") }
        #expect(throws: MarkupError.self) { try XMLDocument(bytes: [UInt8](), url: "empty.xml") }
        #expect(throws: MarkupError.self) { try XMLDocument(bytes: bytes("<?xml version='1.0'?>"), url: "decl.xml") }
        #expect(throws: MarkupError.self) { try XMLDocument(bytes: bytes("<a/>"), url: "big.xml", maximumSize: 2) }
    }

    @Test func invalidXPathThrows() throws {
        let doc = try XMLDocument(bytes: bytes("<a/>"), url: "a.xml")
        let error = try #require(throws: MarkupError.self) { try doc.xpath("//[") }
        #expect(error.code == .invalidXPath)
        #expect(error.message.contains("a.xml"))
    }

    @Test func externalEntitiesAreNeverRead() throws {
        // Classic XXE: a file entity and a network entity. Neither may be loaded.
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE r [
              <!ENTITY file SYSTEM "file:///etc/hostname">
              <!ENTITY net SYSTEM "http://127.0.0.1:9/evil">
              <!ENTITY % param SYSTEM "file:///etc/passwd">
              %param;
            ]>
            <r>[&file;][&net;]</r>
            """
        let hostname = (try? String(contentsOfFile: "/etc/hostname")) ?? "localhost"
        do {
            let doc = try XMLDocument(bytes: bytes(xxe), url: "xxe.xml")
            #expect(doc.root.text == "[][]")
            #expect(!doc.root.text.contains(hostname.trimmingCharacters(in: .whitespacesAndNewlines)))
        } catch {
            #expect(error.code == .malformedDocument)   // refused is fine too
        }
        // An external DTD is not loaded either.
        let dtd = try XMLDocument(bytes: bytes("<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r>ok</r>"), url: "dtd.xml")
        #expect(dtd.root.text == "ok")
    }

    @Test func billionLaughsIsRefusedOrHarmless() throws {
        var doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 \"lol\">\n"
        for i in 1...9 {
            doc += " <!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">\n"
        }
        doc += "]>\n<lolz>&lol9;</lolz>"
        let clock = ContinuousClock()
        let started = clock.now
        // libxml2 2.9.14 detects the amplification and refuses the document (XML_ERR_ENTITY_LOOP, code 89).
        let error = try #require(throws: MarkupError.self) { try XMLDocument(bytes: bytes(doc), url: "lolz.xml") }
        #expect(error.code == .tooLarge)
        #expect(error.message.contains("lolz.xml"))
        #expect(error.message.contains("refused on purpose"))
        #expect(clock.now - started < .seconds(5))
    }

    @Test func quadraticBlowupStaysBounded() throws {
        let entity = String(repeating: "x", count: 50_000)
        let refs = String(repeating: "&e;", count: 50_000)
        let doc = "<!DOCTYPE r [<!ENTITY e \"\(entity)\">]><r>\(refs)</r>"
        do {
            let parsed = try XMLDocument(bytes: bytes(doc), url: "quad.xml")
            #expect(parsed.root.text.utf8.count <= 1 << 20)
        } catch {
            #expect(error.message.contains("quad.xml"))
        }
    }

    @Test func internalEntitiesAndCharacterReferencesAreText() throws {
        let doc = try XMLDocument(bytes: bytes("<!DOCTYPE r [<!ENTITY co \"ACME\">]><r a=\"&co; &amp; &#233;\">&co; &lt;&#x4E2D;&gt;</r>"), url: "e.xml")
        #expect(doc.root.text == "ACME <中>")
        #expect(doc.root.attribute("a") == "ACME & é")
    }

    @Test func lyingAndUnusualEncodings() throws {
        // Declared Latin-1, really UTF-8.
        let lying = try XMLDocument(bytes: bytes("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>café 世界</t>"), url: "lying.xml")
        #expect(lying.root.text == "café 世界")
        // Honest Latin-1.
        let latin1 = try XMLDocument(bytes: bytes("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>caf") + [0xE9] + bytes("</t>"), url: "latin1.xml")
        #expect(latin1.root.text == "café")
        // Undeclared, not UTF-8: read as Latin-1 instead of failing.
        let undeclared = try XMLDocument(bytes: bytes("<t>na") + [0xEF] + bytes("ve</t>"), url: "undeclared.xml")
        #expect(undeclared.root.text == "naïve")
        // UTF-16 with BOM, both byte orders.
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>Grüße 中文</t>"
        let le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try XMLDocument(bytes: le, url: "le.xml").root.text == "Grüße 中文")
        #expect(try XMLDocument(bytes: be, url: "be.xml").root.text == "Grüße 中文")
        // UTF-8 BOM.
        #expect(try XMLDocument(bytes: [0xEF, 0xBB, 0xBF] + bytes("<t>ok</t>"), url: "bom.xml").root.text == "ok")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let depth = 100_000
        let doc = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let error = #expect(throws: MarkupError.self) { try XMLDocument(bytes: bytes(doc), url: "deep.xml") }
        #expect(error?.message.contains("deep.xml") == true)
    }
}

@Suite struct HTMLDocumentTests {
    @Test func recoversFromTagSoup() throws {
        let page = try HTMLDocument(bytes: bytes("""
            <html><head><title>T</title><meta property="og:title" content="Served &amp; Title ✓">
            <body><p>Hello &amp; <b>世界<p>second <div>unclosed
            """), url: "soup.html")
        #expect(try page.xpath("string(//meta[@property='og:title']/@content)").string == "Served & Title ✓")
        #expect(try page.xpath("//meta/@content").strings == ["Served & Title ✓"])
        #expect(try page.xpath("//p").nodes.count == 2)
        #expect(try page.xpath("string(//p[1])").string == "Hello & 世界")
        #expect(page.root?.name == "html")
        #expect(try page.xpath("string(//title)").string == "T")
    }

    @Test func encodings() throws {
        // Latin-1 declared by meta, really Latin-1.
        let latin = try HTMLDocument(bytes: bytes("<meta charset=\"iso-8859-1\"><p>caf") + [0xE9] + bytes("</p>"), url: "l.html")
        #expect(try latin.xpath("string(//p)").string == "café")
        // Latin-1 declared, really UTF-8.
        let lying = try HTMLDocument(bytes: bytes("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>café 中</p>"), url: "lying.html")
        #expect(try lying.xpath("string(//p)").string == "café 中")
        // HTTP charset given explicitly and honest.
        let http = try HTMLDocument(bytes: bytes("<p>caf") + [0xE9] + bytes("</p>"), url: "h.html", encoding: "windows-1252")
        #expect(try http.xpath("string(//p)").string == "café")
        // Windows-1252 smart quotes, undeclared.
        let smart = try HTMLDocument(bytes: bytes("<p>") + [0x93] + bytes("hi") + [0x94] + bytes("</p>"), url: "s.html")
        #expect(try smart.xpath("string(//p)").string == "\u{201C}hi\u{201D}")
        // UTF-16LE with BOM.
        let le: [UInt8] = [0xFF, 0xFE] + "<p>Grüße</p>".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try HTMLDocument(bytes: le, url: "le.html").xpath("string(//p)").string == "Grüße")
        // An unknown encoding name from outside is an error naming it.
        let error = try #require(throws: MarkupError.self) { try HTMLDocument(bytes: bytes("<p>x</p>"), url: "u.html", encoding: "x-klingon") }
        #expect(error.code == .unsupportedEncoding)
        #expect(error.message.contains("x-klingon"))
    }

    @Test func emptyAndHugeNestingDoNotCrash() throws {
        let empty = try HTMLDocument(bytes: [UInt8](), url: "empty.html")
        #expect(try empty.xpath("string(/)").string.isEmpty)
        let deep = String(repeating: "<div>", count: 200_000) + "x"
        let page = try HTMLDocument(bytes: bytes(deep), url: "deep.html")
        #expect(try page.xpath("count(//div)").string != "")
        #expect(page.document.text.hasSuffix("x") || page.document.text.isEmpty)
    }
}
