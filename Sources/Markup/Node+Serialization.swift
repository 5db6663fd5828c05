extension Node {
    /// The node's children serialised as markup, as feeds need for Atom `type="xhtml"` content.
    ///
    /// Elements are written without prefixes; an element entering a namespace other than XHTML (SVG, MathML)
    /// gets an `xmlns` attribute, XLink attributes keep their `xlink:` prefix with its declaration, attributes
    /// are sorted by name (as feedparser writes them), text is escaped, comments and processing instructions dropped.
    ///
    /// - Complexity: O(n) in the number of descendant nodes.
    public var innerMarkup: String {
        var out = ""
        let inherited = namespaceURI == Node.xhtml ? nil : namespaceURI
        for child in childNodes { child.appendMarkup(to: &out, inheritedNamespace: inherited) }
        return out
    }

    private static let xhtml = "http://www.w3.org/1999/xhtml"
    private static let xlink = "http://www.w3.org/1999/xlink"

    /// The node itself serialised as markup. See ``innerMarkup``.
    public var outerMarkup: String {
        var out = ""
        appendMarkup(to: &out, inheritedNamespace: nil)
        return out
    }

    private func appendMarkup(to out: inout String, inheritedNamespace: String?) {
        switch kind {
        case .text, .cdata, .entityReference:
            out += Node.escape(text, attribute: false)
        case .element:
            out += "<" + name
            var attrs: [(String, String)] = []
            var ns = inheritedNamespace
            if let mine = namespaceURI, mine != Node.xhtml, mine != inheritedNamespace {
                attrs.append(("xmlns", mine))
                ns = mine
            }
            var declaresXLink = false
            for a in attributes {
                switch a.namespaceURI {
                case nil: attrs.append((a.name, a.value))
                case "http://www.w3.org/XML/1998/namespace": attrs.append(("xml:" + a.name, a.value))
                case Node.xlink?: attrs.append(("xlink:" + a.name, a.value)); declaresXLink = true
                default: break
                }
            }
            if declaresXLink { attrs.append(("xmlns:xlink", Node.xlink)) }
            for (k, v) in attrs.sorted(by: { $0.0 < $1.0 }) {
                out += " " + k + "=\"" + Node.escape(v, attribute: true) + "\""
            }
            let kids = childNodes
            if kids.isEmpty && Node.voidElements.contains(name.lowercased()) {
                out += " />"
                return
            }
            out += ">"
            for k in kids { k.appendMarkup(to: &out, inheritedNamespace: ns) }
            out += "</" + name + ">"
        default:
            break
        }
    }

    private static let voidElements: Set<String> = ["br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"]

    private static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
