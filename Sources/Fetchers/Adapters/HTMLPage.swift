import Foundation
import Markup
public import Posts

/// Metadata of an HTML post page: `<title>`, meta description, OpenGraph, Twitter card and JSON-LD.
///
/// ```swift
/// let page = try HTMLPage(bytes: bytes, url: "https://example.org/v/1")
/// page.openGraph.first { $0.property == "og:title" }?.content
/// let post = page.post(fetched: nil)
/// ```
public struct HTMLPage: Sendable {
    public var url: String
    public var title: String?
    public var metaDescription: String?
    public var canonicalURL: String?
    public var language: String?
    /// `<meta property="og:…|article:…|video:…|product:…">` in document order, duplicates kept.
    public var openGraph: [(property: String, content: String)]
    /// `<meta name="twitter:…">` in document order.
    public var twitterCard: [(name: String, content: String)]
    /// Other named `<meta>` (author, keywords).
    public var meta: [(name: String, content: String)]
    /// Every JSON-LD script's value in document order (arrays flattened one level; `null` and empty scripts skipped).
    public var jsonLD: [JSONValue]

    static let ogPrefixes: Set<String> = ["og", "article", "video", "music", "book", "profile", "website", "product", "books", "business", "place"]

    /// Parses an HTML page (libxml2's recovering HTML parser; no network).
    ///
    /// - Parameters:
    ///   - encoding: the HTTP charset, if known.
    /// - Throws: `FetchError.Code.malformedDocument` naming the URL when no tree can be built.
    public init(bytes: some Collection<UInt8>, url: String, encoding: String? = nil) throws(FetchError) {
        let all = Array(bytes)
        // The metadata lives in <head>, and a post page's body is most of its bytes: parse the head
        // alone when it says something and no JSON-LD script follows it (measured 3-10x faster on
        // real pages). Anything else gets the whole page.
        if let end = HeadBoundary.end(of: all), !HeadBoundary.mentionsJSON(all[end...]) {
            let scanner = HTMLPageEventScanner()
            if (try? HTMLEvents.parse(bytes: all[..<end], url: url, encoding: encoding, handler: scanner)) != nil {
                let page = HTMLPage(url: url, scanner: scanner)
                if page.hasMetadata {
                    self = page
                    return
                }
            }
        }
        // libxml2's parser events, not a tree: the same elements in the same order (see `init(document:url:)`).
        let scanner = HTMLPageEventScanner()
        do { try HTMLEvents.parse(bytes: all, url: url, encoding: encoding, handler: scanner) } catch {
            throw FetchError(.malformedDocument, "Could not parse the HTML page '\(url)': \(error.message)", url: URL(string: url), cause: error)
        }
        self.init(url: url, scanner: scanner)
    }

    /// The page read through a libxml2 tree (the reference for the event path): head-only first, as `init(bytes:…)`.
    init(treeOf bytes: some Collection<UInt8>, url: String, encoding: String? = nil) throws(FetchError) {
        let all = Array(bytes)
        if let end = HeadBoundary.end(of: all), !HeadBoundary.mentionsJSON(all[end...]),
            let head = try? HTMLDocument(bytes: all[..<end], url: url, encoding: encoding)
        {
            let page = HTMLPage(document: head, url: url)
            if page.hasMetadata {
                self = page
                return
            }
        }
        let doc: HTMLDocument
        do { doc = try HTMLDocument(bytes: all, url: url, encoding: encoding) } catch {
            throw FetchError(.malformedDocument, "Could not parse the HTML page '\(url)': \(error.message)", url: URL(string: url), cause: error)
        }
        self.init(document: doc, url: url)
    }

    private init(url: String, scanner: HTMLPageEventScanner) {
        self.url = url
        openGraph = scanner.openGraph
        twitterCard = scanner.twitterCard
        meta = scanner.meta
        jsonLD = scanner.jsonLDSlots.flatMap { $0 }
        canonicalURL = scanner.canonicalURL
        title = scanner.titleSlots.lazy.compactMap { $0 }.first
        metaDescription = meta.first { $0.name == "description" }?.content
        language = scanner.language
    }

    /// Whether anything describes the post: a title, a description, OpenGraph, a Twitter card or JSON-LD.
    var hasMetadata: Bool {
        title != nil || metaDescription != nil || !openGraph.isEmpty || !twitterCard.isEmpty || !jsonLD.isEmpty
    }

    init(document doc: HTMLDocument, url: String) {
        self.url = url
        openGraph = []
        twitterCard = []
        meta = []
        jsonLD = []
        // One traversal for every element we read (each `//x` XPath would walk the whole tree again).
        let nodes = (try? doc.xpath("//*[self::meta or self::title or self::link or self::script]").nodes) ?? []
        var titleText: String?
        for m in nodes {
            switch m.name {
            case "meta":
                guard let content = m.attribute("content") else { continue }
                Self.addMeta(content: content, property: m.attribute("property"), name: m.attribute("name"),
                             openGraph: &openGraph, twitterCard: &twitterCard, meta: &meta)
            case "title":
                if titleText == nil { titleText = m.text.nonEmptyTrimmed }
            case "link":
                if canonicalURL == nil, m.attribute("rel")?.lowercased() == "canonical" { canonicalURL = m.attribute("href") }
            case "script":
                guard Self.isJSONLD(type: m.attribute("type")) else { continue }
                jsonLD += Self.jsonLDValues(m.text)
            default:
                break
            }
        }
        title = titleText
        metaDescription = meta.first { $0.name == "description" }?.content
        language = doc.root?.attribute("lang")
    }

    /// Files one `<meta content>` under OpenGraph, Twitter card or other named meta.
    static func addMeta(content: String, property: String?, name: String?,
                        openGraph: inout [(property: String, content: String)],
                        twitterCard: inout [(name: String, content: String)],
                        meta: inout [(name: String, content: String)]) {
        if let p = property ?? (name.flatMap { $0.contains(":") && !$0.hasPrefix("twitter:") ? $0 : nil }) {
            let prefix = p.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            if ogPrefixes.contains(prefix) { openGraph.append((p, content)); return }
            if prefix == "twitter" { twitterCard.append((p, content)); return }
        }
        if let name = name?.lowercased() {
            if name.hasPrefix("twitter:") { twitterCard.append((name, content)) } else { meta.append((name, content)) }
        }
    }

    static func isJSONLD(type: String?) -> Bool {
        type?.trimmedWhitespace.lowercased() == "application/ld+json"
    }

    /// A JSON-LD script's values: an array flattened one level, `null`, `false` and unparsable scripts skipped.
    static func jsonLDValues(_ text: String) -> [JSONValue] {
        guard let value = JSONLD.parse(text) else { return [] }
        switch value {
        case .null, .bool(false): return []
        case .array(let items): return items
        default: return [value]
        }
    }

    public func og(_ property: String) -> String? {
        openGraph.first { $0.property == property }?.content.nonEmptyTrimmed
    }

    public func twitter(_ name: String) -> String? {
        twitterCard.first { $0.name == name }?.content.nonEmptyTrimmed
    }

    /// The JSON-LD object that describes the post: a VideoObject or SocialMediaPosting first, then articles.
    public var primaryJSONLD: JSONValue? {
        var candidates: [JSONValue] = []
        for v in jsonLD {
            candidates.append(v)
            if let graph = v["@graph"]?.array { candidates.append(contentsOf: graph) }
        }
        let ranked = ["VideoObject", "SocialMediaPosting", "DiscussionForumPosting", "BlogPosting", "NewsArticle", "Article", "Clip", "CreativeWork", "WebPage"]
        for type in ranked {
            if let hit = candidates.first(where: { $0["@type"]?.strings.contains(type) == true }) { return hit }
        }
        return nil
    }

    /// The page as one post: id `web:<og:url | canonical | JSON-LD url | page URL>`.
    public func post(fetched: String? = nil) -> Post {
        let ld = primaryJSONLD
        let pageURL = og("og:url") ?? canonicalURL ?? ld?["url"]?.text ?? url
        let title = og("og:title") ?? twitter("twitter:title") ?? ld?["name"]?.text ?? ld?["headline"]?.text ?? self.title
        let description = ld?["articleBody"]?.text ?? ld?["description"]?.text ?? og("og:description")
            ?? twitter("twitter:description") ?? metaDescription
        var captions: [Cue] = []
        let lang = ld?["inLanguage"]?.text ?? language
        if let t = ld?["transcript"]?.text { captions.append(Cue(start: 0, end: 0, text: PlainText.fromMarkup(t), track: (lang.map { $0 + "." } ?? "") + "transcript")) }
        if let c = ld?["caption"]?.text, !c.hasPrefix("http") { captions.append(Cue(start: 0, end: 0, text: PlainText.fromMarkup(c), track: (lang.map { $0 + "." } ?? "") + "caption")) }
        var keywords: [String] = []
        if let k = ld?["keywords"] {
            for s in k.strings { keywords += s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        keywords += openGraph.filter { $0.property == "article:tag" || $0.property == "video:tag" }.map(\.content)
        var author: Author?
        if let a = ld?["author"] ?? ld?["creator"] {
            let first = a.array?.first ?? a
            if let name = first.text {
                author = Author(name: name)
            } else {
                let handle = first["alternateName"]?.text ?? first["identifier"]?.text
                author = Author(id: first["url"]?.text ?? first["@id"]?.text, handle: handle, name: first["name"]?.text)
            }
        } else if let name = meta.first(where: { $0.name == "author" })?.content.nonEmptyTrimmed {
            author = Author(name: name)
        } else if let handle = twitter("twitter:creator") {
            author = Author(handle: handle)
        }
        let published = ld?["uploadDate"]?.text ?? ld?["datePublished"]?.text ?? og("article:published_time") ?? og("video:release_date")
        let plainDescription = description.map(PlainText.fromMarkup)
        return Post(
            id: "web:\(pageURL)", platform: "web", url: pageURL, author: author, published: published, fetched: fetched,
            language: lang, title: title.map(PlainText.fromMarkup), description: plainDescription,
            hashtags: Hashtags.merge(keywords, Hashtags.extract(from: plainDescription ?? "")), captions: captions)
    }
}

/// The event-side twin of ``HTMLPage/init(document:url:)``: `<meta>`, `<title>`, `<link>` and `<script>` elements
/// in document order, and the root element's `lang`. Title and script text is kept as UTF-8 bytes until the element
/// ends; results are filed by start order, as the tree's XPath lists them.
final class HTMLPageEventScanner: HTMLEventHandler {
    private(set) var openGraph: [(property: String, content: String)] = []
    private(set) var twitterCard: [(name: String, content: String)] = []
    private(set) var meta: [(name: String, content: String)] = []
    private(set) var canonicalURL: String?
    private(set) var language: String?
    /// Each `<title>`'s trimmed text (nil when empty), and each JSON-LD script's values, in start order.
    private(set) var titleSlots: [String?] = []
    private(set) var jsonLDSlots: [[JSONValue]] = []

    private struct Capture {
        var isTitle: Bool
        var slot: Int
        var depth: Int
        var bytes: [UInt8] = []
    }
    private var captures: [Capture] = []
    private var depth = 0
    private var sawRoot = false

    func startElement(_ tag: HTMLTag) {
        depth += 1
        if !sawRoot {
            sawRoot = true
            language = tag.attribute("lang")
        }
        if tag.nameIs("meta") {
            guard let content = tag.attribute("content") else { return }
            HTMLPage.addMeta(content: content, property: tag.attribute("property"), name: tag.attribute("name"),
                             openGraph: &openGraph, twitterCard: &twitterCard, meta: &meta)
        } else if tag.nameIs("title") {
            if titleSlots.contains(where: { $0 != nil }) { return }
            captures.append(Capture(isTitle: true, slot: titleSlots.count, depth: depth))
            titleSlots.append(nil)
        } else if tag.nameIs("link") {
            if canonicalURL == nil, tag.attribute("rel")?.lowercased() == "canonical" { canonicalURL = tag.attribute("href") }
        } else if tag.nameIs("script") {
            guard HTMLPage.isJSONLD(type: tag.attribute("type")) else { return }
            captures.append(Capture(isTitle: false, slot: jsonLDSlots.count, depth: depth))
            jsonLDSlots.append([])
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        for i in captures.indices { captures[i].bytes.append(contentsOf: bytes) }
    }

    func endElement() {
        if let last = captures.last, last.depth == depth {
            captures.removeLast()
            let s = String(decoding: last.bytes, as: UTF8.self)
            if last.isTitle { titleSlots[last.slot] = s.nonEmptyTrimmed } else { jsonLDSlots[last.slot] = HTMLPage.jsonLDValues(s) }
        }
        depth -= 1
    }
}

/// Finds where a page's `<head>` ends by scanning bytes, without parsing.
enum HeadBoundary {
    /// The offset of the first `</head` or `<body` (ASCII case-insensitive), or nil when there is none
    /// (or the page is not in an ASCII-compatible encoding).
    static func end(of bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b -> Int? in
            guard let base = b.baseAddress else { return nil }
            var i = 0
            while i < b.count, let hit = memchr(base + i, 0x3C, b.count - i) {  // '<'
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if matches(b, at + 1, "/head") || matches(b, at + 1, "body") { return at }
                i = at + 1
            }
            return nil
        }
    }

    /// Whether `bytes` contain `+json` (a JSON-LD script type) in either case.
    static func mentionsJSON(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return false }
            var i = 0
            while i < b.count, let hit = memchr(base + i, 0x2B, b.count - i) {  // '+'
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if matches(b, at + 1, "json", delimited: false) { return true }
                i = at + 1
            }
            return false
        }
    }

    /// `word` (lowercase ASCII) at `i`, case-insensitively, and (when `delimited`) followed by a
    /// delimiter or the end.
    private static func matches(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: StaticString, delimited: Bool = true) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] | 0x20 != w[k] { return false }
        guard delimited, i + n < b.count else { return true }
        let next = b[i + n]
        return next == 0x3E || next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D || next == 0x0C || next == 0x2F
    }
}

/// Lenient JSON-LD script parsing, as extruct does: JS comments, control characters and trailing commas repaired.
enum JSONLD {
    static func parse(_ text: String) -> JSONValue? {
        let trimmed = text.trimmedWhitespace
        guard !trimmed.isEmpty else { return nil }
        if let v = try? JSONValue(parsing: Array(trimmed.utf8)) { return v }
        let repaired = repair(Array(trimmed.utf8))
        return try? JSONValue(parsing: repaired)
    }

    /// Removes `//`, `/* */` and `<!-- -->` comments outside strings, escapes raw control characters inside strings,
    /// drops them outside, and removes commas before `}` or `]`.
    static func repair(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        var inString = false
        while i < b.count {
            let c = b[i]
            if inString {
                if c == UInt8(ascii: "\\"), i + 1 < b.count { out.append(c); out.append(b[i + 1]); i += 2; continue }
                if c == UInt8(ascii: "\"") { inString = false }
                if c < 0x20 {
                    switch c {
                    case 0x0A: out += Array("\\n".utf8)
                    case 0x0D: out += Array("\\r".utf8)
                    case 0x09: out += Array("\\t".utf8)
                    default: out += Array(String(format: "\\u%04x", Int(c)).utf8)
                    }
                    i += 1
                    continue
                }
                out.append(c); i += 1; continue
            }
            if c == UInt8(ascii: "\"") { inString = true; out.append(c); i += 1; continue }
            if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
                while i < b.count && b[i] != 0x0A { i += 1 }
                continue
            }
            if c == UInt8(ascii: "<"), b[i...].starts(with: "<!--".utf8) {
                i += 4
                while i < b.count && !b[i...].starts(with: "-->".utf8) { i += 1 }
                i += 3
                continue
            }
            if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < b.count && !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
                continue
            }
            if c < 0x20 && c != 0x0A && c != 0x0D && c != 0x09 { i += 1; continue }
            if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                var j = out.count - 1
                while j >= 0, out[j] == 0x20 || out[j] == 0x0A || out[j] == 0x0D || out[j] == 0x09 { j -= 1 }
                if j >= 0, out[j] == UInt8(ascii: ",") { out.remove(at: j) }
            }
            out.append(c)
            i += 1
        }
        return out
    }
}

