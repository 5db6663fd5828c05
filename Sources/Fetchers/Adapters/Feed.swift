import Crypto
import Foundation
import Markup
public import Posts

/// A parsed RSS 2.0 / 0.9x, RSS 1.0 (RDF) or Atom 1.0 / 0.3 feed, including YouTube channel feeds.
///
/// Field names follow feedparser's normalised ones: `description` is RSS `description`, Atom
/// `subtitle` (0.3 `tagline`) for the feed, and Atom `summary` (else `content`) for entries.
///
/// ```swift
/// let feed = try Feed(bytes: bytes, url: "https://example.org/feed.xml")
/// for post in feed.posts(fetched: nil) { print(post.jsonLine) }
/// ```
public struct Feed: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable { case rss2, rss1, atom10, atom03 }

    public var format: Format
    public var title: String?
    public var link: String?
    public var description: String?
    public var language: String?
    public var entries: [FeedEntry]
}

/// One item or entry of a feed.
public struct FeedEntry: Sendable, Hashable {
    /// guid (RSS), id (Atom) or rdf:about.
    public var id: String?
    public var title: String?
    public var link: String?
    public var description: String?
    /// Full content (`content:encoded`, Atom `content`) when it differs from the description.
    public var content: String?
    public var published: String?
    public var authorName: String?
    public var authorURI: String?
    public var categories: [String] = []
    public var language: String?
    /// YouTube channel feeds: `yt:videoId`, `yt:channelId`.
    public var youTubeVideoID: String?
    public var youTubeChannelID: String?
}

enum NS {
    static let atom10 = "http://www.w3.org/2005/Atom"
    static let atom03 = "http://purl.org/atom/ns#"
    static let rss10 = "http://purl.org/rss/1.0/"
    static let rss090 = "http://my.netscape.com/rdf/simple/0.9/"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    static let dc = "http://purl.org/dc/elements/1.1/"
    static let content = "http://purl.org/rss/1.0/modules/content/"
    static let media = "http://search.yahoo.com/mrss/"
    static let yt = "http://www.youtube.com/xml/schemas/2015"
    static let xml = "http://www.w3.org/XML/1998/namespace"
    static let xhtml = "http://www.w3.org/1999/xhtml"
    static let itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd"
}

/// The child elements of one node, names and namespaces read once (lookups by name are then cheap).
struct FeedChildren {
    var list: [(name: String, ns: String?, node: Node)]
    let rootNamespace: String?

    init(_ node: Node, rootNamespace: String?) {
        list = node.children.map { ($0.name, $0.namespaceURI, $0) }
        self.rootNamespace = rootNamespace
    }

    func isPlain(_ ns: String?) -> Bool {
        guard let u = ns else { return true }
        return u == rootNamespace || u == NS.rss10 || u == NS.rss090 || u == NS.atom10 || u == NS.atom03
    }

    /// The first child with this local name and no (or the feed's own) namespace; names are compared
    /// case-insensitively when no exact match exists (CDF, and iTunes' tolerance of `<TiTlE>`).
    func plain(_ name: String) -> Node? {
        if let hit = list.first(where: { $0.name == name && isPlain($0.ns) }) { return hit.node }
        let lower = name.lowercased()
        return list.first { $0.name.utf8.count == name.utf8.count && $0.name.lowercased() == lower && isPlain($0.ns) }?.node
    }

    func ns(_ name: String, _ namespace: String) -> Node? {
        list.first { $0.name == name && $0.ns == namespace }?.node
    }

    func itunes(_ name: String) -> Node? {
        list.first { $0.name == name && ($0.ns ?? "").lowercased() == NS.itunes }?.node
    }
}

extension Feed {
    /// Parses feed bytes (any encoding libxml2 detects; no network, no DTD, no entity expansion).
    ///
    /// Relative links (feed and entry `link`) are resolved against the HTTP `Content-Location` (itself resolved
    /// against `url`) when it is given and has a safe scheme, else against `url` when that is absolute, as feedparser
    /// does; absolute links are kept as written.
    ///
    /// - Parameters:
    ///   - contentLocation: the response's `Content-Location` header, if any.
    /// - Throws: `FetchError.Code.malformedDocument` naming `url` when the bytes are not well-formed
    ///   XML or the root is not `rss`, `rdf:RDF`, `feed` or `channel`.
    public init(bytes: some Collection<UInt8>, url: String, contentLocation: String?) throws(FetchError) {
        try self.init(bytes: bytes, url: url)
        guard let base = Feed.baseURL(url: url, contentLocation: contentLocation) else { return }
        link = link.map { Feed.resolve($0, against: base) }
        for i in entries.indices { entries[i].link = entries[i].link.map { Feed.resolve($0, against: base) } }
    }

    /// Schemes a base URI may have (feedparser's `ACCEPTABLE_URI_SCHEMES`, the web ones); `javascript:` and `data:`
    /// are not among them.
    static let safeBaseSchemes: Set<String> = ["http", "https", "ftp", "ftps", "sftp", "file", "feed"]

    /// The base for relative links: `Content-Location` resolved against `url` when that gives an absolute URL with a
    /// safe scheme, else `url` when it is one; nil when neither is.
    static func baseURL(url: String, contentLocation: String?) -> URL? {
        let document = URL(string: url).flatMap { isSafeAbsolute($0) ? $0 : nil }
        if let location = contentLocation?.trimmedWhitespace, !location.isEmpty,
           let resolved = URL(string: location, relativeTo: document)?.absoluteURL, isSafeAbsolute(resolved) {
            return resolved
        }
        return document
    }

    private static func isSafeAbsolute(_ u: URL) -> Bool {
        guard let scheme = u.scheme?.lowercased() else { return false }
        return safeBaseSchemes.contains(scheme)
    }

    /// `link` resolved against `base` when it is a relative reference (no scheme); otherwise unchanged.
    static func resolve(_ link: String, against base: URL) -> String {
        let trimmed = link.trimmedWhitespace
        guard !trimmed.isEmpty, let u = URL(string: trimmed, relativeTo: base), URL(string: trimmed)?.scheme == nil else { return link }
        return u.absoluteString
    }

    /// Parses feed bytes with links as written (see ``init(bytes:url:contentLocation:)`` for resolved links).
    ///
    /// - Throws: `FetchError.Code.malformedDocument` naming `url` when the bytes are not well-formed
    ///   XML or the root is not `rss`, `rdf:RDF`, `feed` or `channel`.
    public init(bytes: some Collection<UInt8>, url: String) throws(FetchError) {
        let doc: XMLDocument
        do { doc = try XMLDocument(bytes: bytes, url: url) } catch {
            throw FetchError(.malformedDocument, "Could not parse the feed '\(url)': \(error.message)", url: URL(string: url), cause: error)
        }
        let root = doc.root
        let ns = root.namespaceURI
        switch root.name {
        case "rss", "channel", "CHANNEL":
            let channel = root.name != "rss" ? root : (Feed.plainChild(root, "channel") ?? root)
            let items = channel.children.filter { $0.name == "item" || $0.name == "ITEM" }
            self = Feed.rss(channel: channel, items: items + (root.name == "rss" ? root.children(named: "item") : []), format: .rss2)
        case "RDF" where ns == NS.rdf:
            let channel = root.children.first { $0.name == "channel" } ?? root
            self = Feed.rss(channel: channel, items: root.children(named: "item") + channel.children(named: "item"), format: .rss1)
        case "feed":
            self = Feed.atom(root, format: ns == NS.atom03 ? .atom03 : .atom10)
        default:
            throw FetchError(.malformedDocument, "'\(url)' is XML but not a feed (root element <\(root.name)>). Pass --as to choose another adapter.", url: URL(string: url))
        }
    }

    /// No namespace, a core feed namespace, or the namespace of the document's root element.
    private static func isPlain(_ n: Node, rootNamespace: String? = nil) -> Bool {
        guard let u = n.namespaceURI else { return true }
        return u == rootNamespace || u == NS.rss10 || u == NS.rss090 || u == NS.atom10 || u == NS.atom03
    }

    private static func rootNamespace(_ n: Node) -> String? {
        var c = n
        while let p = c.parent, p.kind == .element { c = p }
        return c.namespaceURI
    }

    /// The first child with this local name and no (or the feed's own) namespace; names are compared
    /// case-insensitively when no exact match exists (CDF, and iTunes' tolerance of `<TiTlE>`).
    private static func plainChild(_ parent: Node, _ name: String) -> Node? {
        let kids = parent.children
        let rootNS = rootNamespace(parent)
        if let exact = kids.first(where: { $0.name == name && isPlain($0, rootNamespace: rootNS) }) { return exact }
        return kids.first { $0.name.count == name.count && $0.name.lowercased() == name.lowercased() && isPlain($0, rootNamespace: rootNS) }
    }

    private static func itunes(_ parent: Node, _ name: String) -> Node? {
        parent.children.first { $0.name == name && ($0.namespaceURI ?? "").lowercased() == NS.itunes }
    }

    private static func child(_ parent: Node, _ name: String, _ ns: String) -> Node? {
        parent.children.first { $0.name == name && $0.namespaceURI == ns }
    }

    private static func text(_ n: Node?) -> String? {
        guard let n else { return nil }
        let t = n.text.trimmedWhitespace
        return t.isEmpty ? nil : t
    }

    private static func lang(_ n: Node) -> String? {
        var cur: Node? = n
        while let c = cur, c.kind == .element {
            if let l = c.attribute("lang", namespace: NS.xml) { return l }
            cur = c.parent
        }
        return nil
    }

    /// RSS text: inline (unescaped) markup is kept as markup, like feedparser does.
    private static func rssText(_ n: Node?) -> String? {
        guard let n else { return nil }
        if !n.children.isEmpty {
            let t = n.innerMarkup.trimmedWhitespace
            return t.isEmpty ? nil : t
        }
        return text(n)
    }

    static func rss(channel: Node, items: [Node], format: Format) -> Feed {
        let rootNS = rootNamespace(channel)
        let ch = FeedChildren(channel, rootNamespace: rootNS)
        let feedTitle = text(ch.plain("title")) ?? text(ch.ns("title", NS.dc))
        let feedLink = text(ch.plain("link")) ?? atomLink(ch) ?? channel.attribute("HREF") ?? channel.attribute("href")
        let feedDescription = rssText(ch.plain("description")) ?? text(ch.ns("description", NS.dc))
            ?? text(ch.plain("tagline")) ?? text(ch.plain("subtitle")) ?? text(ch.plain("abstract"))
            ?? text(ch.itunes("subtitle")) ?? text(ch.itunes("summary"))
        let feedLanguage = text(ch.plain("language")) ?? text(ch.ns("language", NS.dc)) ?? lang(channel)
        var entries: [FeedEntry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            let k = FeedChildren(item, rootNamespace: rootNS)
            var e = FeedEntry()
            e.title = rssText(k.plain("title")) ?? text(k.ns("title", NS.dc)) ?? text(k.ns("title", NS.media))
            let guid = k.plain("guid")
            e.id = text(guid) ?? item.attribute("about", namespace: NS.rdf)
            e.link = text(k.plain("link")) ?? atomLink(k) ?? item.attribute("HREF") ?? item.attribute("href")
            if e.link == nil, let guid, guid.attribute("isPermaLink")?.lowercased() != "false", let g = text(guid),
               g.hasPrefix("http://") || g.hasPrefix("https://") {
                e.link = g
            }
            let description = rssText(k.plain("description")) ?? text(k.ns("description", NS.dc))
                ?? text(k.plain("summary")) ?? text(k.plain("abstract")) ?? text(k.ns("description", NS.media))
                ?? text(k.itunes("summary")) ?? text(k.itunes("subtitle"))
            let content = text(k.ns("encoded", NS.content)) ?? text(k.plain("body"))
            e.description = description ?? content
            e.content = content != e.description ? content : nil
            e.published = text(k.plain("pubDate")) ?? text(k.ns("date", NS.dc)) ?? text(k.plain("published"))
            e.authorName = text(k.plain("author")) ?? text(k.ns("creator", NS.dc))
            e.categories = k.list.filter { $0.name == "category" && k.isPlain($0.ns) || ($0.name == "subject" && $0.ns == NS.dc) }
                .compactMap { text($0.node) }
            e.language = text(k.ns("language", NS.dc)) ?? lang(item)
            entries.append(e)
        }
        return Feed(format: format, title: feedTitle, link: feedLink, description: feedDescription, language: feedLanguage, entries: entries)
    }

    /// `<atom:link rel="alternate" href>` (or no rel), preferring text/html.
    private static func atomLink(_ parent: FeedChildren) -> String? {
        let links = parent.list.filter { $0.name == "link" && ($0.ns == NS.atom10 || $0.ns == NS.atom03) }.map(\.node).filter { $0.attribute("href") != nil }
        let alternates = links.filter { ($0.attribute("rel") ?? "alternate") == "alternate" }
        let best = alternates.first { ($0.attribute("type") ?? "text/html").contains("html") } ?? alternates.first
        return best?.attribute("href")
    }

    /// An Atom text construct: xhtml → inner markup of the wrapping div; base64 (0.3 mode) decoded; else text.
    private static func atomText(_ n: Node?) -> String? {
        guard let n else { return nil }
        var type = (n.attribute("type") ?? "text").lowercased()
        if type.isEmpty { type = "text" }
        let isTextual = type == "text" || type == "html" || type == "xhtml" || type.hasPrefix("text/") || type.contains("xml")
        if n.attribute("mode") == "base64" || !isTextual {
            let raw = n.text.filter { !$0.isWhitespace }
            if let d = Data(base64Encoded: raw) { return String(decoding: d, as: UTF8.self) }
        }
        let kids = n.children
        if !kids.isEmpty {
            // Inline markup; Atom 1.0 type="xhtml" wraps it in a div that is not part of the content.
            let inner = (type == "xhtml" && kids.count == 1 && kids[0].name == "div") ? kids[0].innerMarkup : n.innerMarkup
            let t = inner.trimmedWhitespace
            return t.isEmpty ? nil : t
        }
        return text(n)
    }

    static func atom(_ feed: Node, format: Format) -> Feed {
        let f = FeedChildren(feed, rootNamespace: feed.namespaceURI)
        let title = atomText(f.plain("title"))
        let link = atomLink(f)
        let description = atomText(f.plain("subtitle")) ?? atomText(f.plain("tagline"))
            ?? atomText(f.plain("info"))
        var entries: [FeedEntry] = []
        for (name, ns, entry) in f.list where name == "entry" && f.isPlain(ns) {
            let k = FeedChildren(entry, rootNamespace: feed.namespaceURI)
            var e = FeedEntry()
            e.id = text(k.plain("id"))
            e.youTubeVideoID = text(k.ns("videoId", NS.yt))
            e.youTubeChannelID = text(k.ns("channelId", NS.yt))
            let group = k.ns("group", NS.media)
            e.title = atomText(k.plain("title")) ?? group.flatMap { text(child($0, "title", NS.media)) }
            e.link = atomLink(k)
            let summary = atomText(k.plain("summary"))
            let content = atomText(k.plain("content"))
            let media = group.flatMap { text(child($0, "description", NS.media)) } ?? text(k.ns("description", NS.media))
            e.description = summary ?? content ?? media
            e.content = content != e.description ? content : nil
            if e.youTubeVideoID != nil, let media { e.description = media }
            e.published = text(k.plain("published")) ?? text(k.plain("issued"))
                ?? text(k.plain("updated")) ?? text(k.plain("modified"))
            if let author = k.plain("author") ?? f.plain("author") {
                e.authorName = text(plainChild(author, "name"))
                e.authorURI = text(plainChild(author, "uri")) ?? text(plainChild(author, "url"))
            }
            e.categories = k.list.filter { $0.name == "category" && k.isPlain($0.ns) }.compactMap { $0.node.attribute("term") ?? text($0.node) }
            if let keywords = group.flatMap({ text(child($0, "keywords", NS.media)) }) {
                e.categories += keywords.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            e.language = lang(entry)
            entries.append(e)
        }
        return Feed(format: format, title: title, link: link, description: description, language: lang(feed), entries: entries)
    }
}

extension Feed {
    /// One post per entry. YouTube entries become `youtube:<videoId>`; others `web:<guid, id or link>`.
    /// Entries with no id, link or title are skipped (they cannot get a stable id).
    public func posts(fetched: String? = nil) -> [Post] {
        entries.compactMap { e in
            let platform: String
            let nativeID: String
            if let v = e.youTubeVideoID {
                platform = "youtube"; nativeID = v
            } else if let id = e.id ?? e.link ?? e.title.map({ "title:" + SHA256.hex(of: Array($0.utf8)).prefix(16) }) {
                platform = "web"; nativeID = id
            } else {
                return nil
            }
            var text = e.description
            if let c = e.content, c != text { text = [text, c].compactMap { $0 }.joined(separator: "\n\n") }
            let description = text.map(PlainText.fromMarkup)
            let post = Post(
                id: "\(platform):\(nativeID)", platform: platform, url: e.link,
                author: (e.authorName != nil || e.youTubeChannelID != nil || e.authorURI != nil)
                    ? Author(id: e.youTubeChannelID ?? e.authorURI, handle: nil, name: e.authorName) : nil,
                published: e.published, fetched: fetched, language: e.language ?? language,
                title: e.title.map(PlainText.fromMarkup), description: description,
                hashtags: Hashtags.merge(e.categories, Hashtags.extract(from: description ?? "")))
            return post.hasText ? post : nil
        }
    }
}
