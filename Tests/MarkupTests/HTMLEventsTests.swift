import Markup
import Testing

/// Records events as a flat trace, and rebuilds from them what `HTMLDocument`'s tree says, for comparison.
private final class Trace: HTMLEventHandler {
    var out: [String] = []
    func startElement(_ tag: HTMLTag) {
        var attrs = ""
        for name in ["class", "checked", "lang", "data-x"] as [StaticString] {
            if let v = tag.attribute(name) { attrs += " \(name)=\(v.debugDescription)" }
        }
        out.append("<\(tag.nameString)\(attrs)>")
    }
    func endElement() { out.append("</>") }
    func text(_ bytes: UnsafeBufferPointer<UInt8>) { out.append(String(decoding: bytes, as: UTF8.self)) }
}

/// The same trace from a tree (elements and text only).
private func treeTrace(_ node: Node, into out: inout [String]) {
    for c in node.childNodes {
        switch c.kind {
        case .element:
            var attrs = ""
            for name in ["class", "checked", "lang", "data-x"] {
                if let v = c.attribute(name) { attrs += " \(name)=\(v.debugDescription)" }
            }
            out.append("<\(c.name)\(attrs)>")
            treeTrace(c, into: &out)
            out.append("</>")
        case .text, .cdata: out.append(c.text)
        default: break
        }
    }
}

@Suite struct HTMLEventsTests {
    static func compare(_ html: String) throws -> [String] {
        let trace = Trace()
        try HTMLEvents.parse(bytes: Array(html.utf8), url: "t.html", handler: trace)
        var tree: [String] = []
        treeTrace(try HTMLDocument(bytes: Array(html.utf8), url: "t.html").document, into: &tree)
        // Adjacent text pieces are one text node in the tree.
        func merged(_ a: [String]) -> [String] {
            var r: [String] = []
            for s in a {
                if let last = r.last, !last.hasPrefix("<"), !s.hasPrefix("<") { r[r.count - 1] = last + s } else { r.append(s) }
            }
            return r
        }
        #expect(merged(trace.out) == merged(tree), "\(html)")
        return merged(trace.out)
    }

    @Test func eventsDescribeTheTree() throws {
        let events = try Self.compare("<html lang=es><body><x:p class=a checked data-x>one<br>two</x:p><input checked></body></html>")
        #expect(events == ["<html lang=\"es\">", "<body>", "<p class=\"a\" checked=\"checked\" data-x=\"\">", "one", "<br>", "</>", "two", "</>",
                           "<input checked=\"checked\">", "</>", "</>", "</>"])
    }

    @Test func contentAfterTheRootBecomesTheRootsChild() throws {
        let events = try Self.compare("<p>a</p></html>tail<div>x</div>")
        #expect(events.last == "</>")
        #expect(events.firstIndex(of: "tail")! < events.lastIndex(of: "</>")!)
        _ = try Self.compare("<!-- first --><p>a</p></html>tail")
        _ = try Self.compare("<!DOCTYPE html><p>a</p></html>tail")
    }

    @Test func scriptsAutoCloseAndTagSoup() throws {
        _ = try Self.compare("<title>T<b>x</title><script>if (a < b) { x = '</div>' }</script><p><div>y</p></div><table><td>z")
        _ = try Self.compare("<a href=1><a href=2>q</a></a><ul><li>1<li>2</ul>&amp;&nbsp;&bogus;&#x263A;")
    }

    @Test func errorsMatchTheTreeParser() {
        #expect(throws: MarkupError.self) { try HTMLEvents.parse(bytes: [UInt8](repeating: 0x20, count: 10), url: "big.html", maximumSize: 5, handler: Trace()) }
        #expect(throws: MarkupError.self) { try HTMLEvents.parse(bytes: Array("<p>x".utf8), url: "x.html", encoding: "x-no-such-charset", handler: Trace()) }
    }
}
