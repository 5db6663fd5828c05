public import Posts
import Markup

/// YouTube timed-text XML: srv1 (`<transcript><text start dur>`, seconds), srv2 (`<timedtext><text t d>`,
/// milliseconds) and srv3 (`<timedtext format="3"><body><p t d><s>…</s></p>`, milliseconds).
///
/// srv1 text is HTML-escaped a second time (`&lt;i>`, `&amp;#39;`): it is unescaped and tags are removed.
/// Paragraphs with no visible text are skipped. Newlines inside srv1/srv2 text become spaces.
///
/// ```swift
/// let cues = try YouTubeTimedText(bytes: bytes, url: "clip.en.srv3").captionCues(track: "en")
/// ```
public struct YouTubeTimedText: Sendable, Hashable {
    public enum Variant: String, Sendable, Hashable { case srv1, srv2, srv3 }

    public var variant: Variant
    public var cues: [Cue]
    public var url: String

    /// Parses srv1, srv2 or srv3 XML (no network, no entity expansion; see `Markup.XMLDocument`).
    /// - Throws: ``CaptionError`` with code `.malformedDocument` for bad XML or an unknown root element.
    public init(bytes: some Collection<UInt8>, url: String) throws(CaptionError) {
        let document = try XMLDocument.caption(bytes: bytes, url: url, format: "YouTube timed text")
        let root = document.root
        self.url = url
        switch root.name {
        case "transcript":
            variant = .srv1
            cues = root.children(named: "text").compactMap { text in
                guard let start = text.attribute("start").flatMap(Double.init) else { return nil }
                let duration = text.attribute("dur").flatMap(Double.init) ?? 0
                let clean = YouTubeTimedText.unescapedPlainText(text.text)
                guard !clean.isEmpty else { return nil }
                return Cue(start: start, end: start + duration, text: clean)
            }
        case "timedtext":
            if root.attribute("format") == "3" || root.firstChild(named: "body") != nil {
                variant = .srv3
                let body = root.firstChild(named: "body") ?? root
                cues = body.children(named: "p").compactMap { p in
                    guard let t = p.attribute("t").flatMap(Double.init) else { return nil }
                    let d = p.attribute("d").flatMap(Double.init) ?? 0
                    let text = YouTubeTimedText.lines(of: p)
                    guard text.contains(where: { !$0.isWhitespace }) else { return nil }
                    return Cue(start: t / 1000, end: (t + d) / 1000, text: text)
                }
            } else {
                variant = .srv2
                cues = root.children(named: "text").compactMap { text in
                    guard let t = text.attribute("t").flatMap(Double.init) else { return nil }
                    let d = text.attribute("d").flatMap(Double.init) ?? 0
                    let clean = YouTubeTimedText.unescapedPlainText(text.text)
                    guard !clean.isEmpty else { return nil }
                    return Cue(start: t / 1000, end: (t + d) / 1000, text: clean)
                }
            }
        default:
            throw CaptionError.at(.malformedDocument, url, line: root.line, "the root element is <\(root.name)>, not <timedtext> or <transcript>",
                                  "Check that this is YouTube timed text (fmt=srv1/srv2/srv3).")
        }
    }

    /// The cues, with `track` set.
    public func captionCues(track: String? = nil) -> [Cue] {
        cues.map { var c = $0; c.track = track; return c }
    }

    /// srv3 paragraph text: segments concatenated, `<br/>` and newlines kept as line breaks, lines trimmed.
    static func lines(of p: Node) -> String {
        var out = ""
        for child in p.childNodes {
            switch child.kind {
            case .text, .cdata: out += child.text
            case .element: out += child.name == "br" ? "\n" : child.text
            default: continue
            }
        }
        return out.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// Decodes a second level of HTML escaping, removes tags, and turns newlines into spaces.
    static func unescapedPlainText(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for i in bytes.indices where bytes[i] == ASCII.lf || bytes[i] == ASCII.cr || bytes[i] == ASCII.tab { bytes[i] = ASCII.space }
        // The WebVTT cue text machinery decodes HTML character references and drops <i>/<b>/… tags.
        let plain = WebVTTCueTextParser.plainText(bytes)
        return SRTDocument.plainText(plain).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
