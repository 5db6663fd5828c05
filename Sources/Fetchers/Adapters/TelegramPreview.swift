import Foundation
import Markup
public import Posts

/// A Telegram public channel preview page (`https://t.me/s/<channel>`): many messages, newest last.
///
/// ```swift
/// let page = try TelegramPreview(bytes: bytes, url: "https://t.me/s/news_demo")
/// page.messages.count; page.nextPageURL   // …/s/news_demo?before=<oldest id>
/// ```
public struct TelegramPreview: Sendable {
    public struct Message: Sendable, Hashable {
        /// `channel/123`.
        public var post: String
        public var channel: String
        public var number: Int
        public var text: String
        /// ISO 8601 from `<time datetime>`.
        public var date: String?
        /// `1.2K` → 1200; nil when hidden.
        public var views: Int?
        public var authorName: String?
        public var hashtags: [String]
    }

    public var url: String
    public var channel: String?
    public var channelTitle: String?
    public var messages: [Message]
    /// The `before` value of the next (older) page: the "load more" link's, else the oldest message number.
    public var before: Int?

    /// The page URL with `before=<before>`: the next, older page.
    public var nextPageURL: String? {
        guard let before, !messages.isEmpty else { return nil }
        if var c = URLComponents(string: url), c.scheme != nil {
            c.queryItems = (c.queryItems ?? []).filter { $0.name != "before" } + [URLQueryItem(name: "before", value: String(before))]
            return c.string
        }
        return channel.map { "https://t.me/s/\($0)?before=\(before)" }
    }

    /// - Throws: `FetchError.Code.malformedDocument` when the page has no Telegram message widgets.
    public init(bytes: some Collection<UInt8>, url: String) throws(FetchError) {
        let doc: HTMLDocument
        do { doc = try HTMLDocument(bytes: bytes, url: url, encoding: "utf-8") } catch {
            throw FetchError(.malformedDocument, "Could not parse the Telegram preview '\(url)': \(error.message)", url: URL(string: url), cause: error)
        }
        self.url = url
        // One XPath pass in C finds the interesting elements; message subtrees are then walked in Swift.
        var messageNodes: [Node] = []
        var more: String?
        var title: String?
        var sawChannelInfo = false
        let found = (try? doc.xpath("//*[@data-post or @data-before or contains(@class, 'tgme_channel_info')]").nodes) ?? []
        for n in found {
            let classes = n.attribute("class")?.split(separator: " ") ?? []
            if classes.contains("tgme_widget_message"), n.attribute("data-post") != nil { messageNodes.append(n); continue }
            if classes.contains("tme_messages_more"), let b = n.attribute("data-before") { more = more ?? b }
            if classes.contains("tgme_channel_info") { sawChannelInfo = true }
            if classes.contains("tgme_channel_info_header_title") { title = title ?? n.text.nonEmptyTrimmed }
        }
        if messageNodes.isEmpty && !sawChannelInfo {
            throw FetchError(.malformedDocument, "'\(url)' is not a Telegram channel preview (no tgme_widget_message). Fetch https://t.me/s/<channel>, or pass --as html.", url: URL(string: url))
        }
        var messages: [Message] = []
        for n in messageNodes {
            guard let post = n.attribute("data-post"), let slash = post.lastIndex(of: "/"), let number = Int(post[post.index(after: slash)...]) else { continue }
            let channel = String(post[..<slash])
            var text: String?
            var date: String?
            var viewsText: String?
            var author: String?
            TelegramPreview.walk(n) { d, cls in
                if let cls {
                    if TelegramPreview.hasToken(cls, "tgme_widget_message_reply") { return false }  // a quoted message, not this one
                    if text == nil, TelegramPreview.hasToken(cls, "tgme_widget_message_text") { text = TelegramPreview.textWithBreaks(d); return false }
                    if viewsText == nil, TelegramPreview.hasToken(cls, "tgme_widget_message_views") { viewsText = d.text; return false }
                    if author == nil, TelegramPreview.hasToken(cls, "tgme_widget_message_owner_name") { author = d.text.nonEmptyTrimmed; return false }
                }
                if date == nil, d.name == "time", let dt = d.attribute("datetime") { date = dt }
                return true
            }
            let body = text ?? ""
            messages.append(Message(post: post, channel: channel, number: number, text: body, date: date,
                                    views: viewsText.flatMap(TelegramPreview.parseCount), authorName: author,
                                    hashtags: Hashtags.extract(from: body)))
        }
        self.messages = messages
        channel = messages.first?.channel ?? TelegramPreview.channel(fromURL: url)
        channelTitle = title
        before = more.flatMap { Int($0) } ?? messages.map(\.number).min()
    }

    /// Visits `node`'s descendant elements depth-first with their `class` attribute; `visit` returns whether to descend.
    static func walk(_ node: Node?, _ visit: (Node, String?) -> Bool) {
        guard let node else { return }
        for c in node.children where visit(c, c.attribute("class")) { walk(c, visit) }
    }

    /// Whether the space-separated class list contains `token`, on UTF-8 bytes.
    static func hasToken(_ classList: String, _ token: StaticString) -> Bool {
        let t = UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        var copy = classList
        return copy.withUTF8 { b in
            guard b.count >= t.count else { return false }
            var i = 0
            while i + t.count <= b.count {
                if (i == 0 || b[i - 1] == 0x20 || b[i - 1] == 0x09) && b[i] == t[0]
                    && (i + t.count == b.count || b[i + t.count] == 0x20 || b[i + t.count] == 0x09)
                    && memcmp(b.baseAddress! + i, t.baseAddress!, t.count) == 0 {
                    return true
                }
                i += 1
            }
            return false
        }
    }

    /// Telegram's counts: `987`, `1.2K`, `3.4M`.
    static func parseCount(_ s: String) -> Int? {
        let t = s.trimmedWhitespace.uppercased()
        guard let last = t.last else { return nil }
        let scale: Double = last == "K" ? 1_000 : last == "M" ? 1_000_000 : last == "B" ? 1_000_000_000 : 1
        let number = scale == 1 ? t : String(t.dropLast())
        guard let v = Double(String(number.filter { $0 != "," })) else { return nil }
        return Int((v * scale).rounded())
    }

    static func channel(fromURL url: String) -> String? {
        guard let u = URL(string: url) else { return nil }
        let parts = u.path.split(separator: "/")
        if parts.count >= 2, parts[0] == "s" { return String(parts[1]) }
        return parts.first.map(String.init)
    }

    /// Text content with `<br>` as line breaks.
    static func textWithBreaks(_ node: Node) -> String {
        var out = ""
        func walk(_ n: Node) {
            for c in n.childNodes {
                switch c.kind {
                case .text, .cdata, .entityReference: out += c.text
                case .element:
                    if c.name == "br" { out += "\n" } else { walk(c) }
                default: break
                }
            }
        }
        walk(node)
        return out.trimmedWhitespace
    }

    /// One post per message with text: `telegram:<channel>/<n>`; views go in `tags` as `views:<n>`.
    public func posts(fetched: String? = nil) -> [Post] {
        messages.compactMap { m in
            guard !m.text.isEmpty else { return nil }
            return Post(id: "telegram:\(m.post)", platform: "telegram", url: "https://t.me/\(m.post)",
                        author: Author(id: m.channel, handle: m.channel, name: m.authorName ?? channelTitle),
                        published: m.date, fetched: fetched, description: m.text, hashtags: m.hashtags,
                        tags: m.views.map { ["views:\($0)"] } ?? [])
        }
    }
}
