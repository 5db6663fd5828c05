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
    ///
    /// Reads libxml2's parser events (``HTMLEvents``) instead of building a tree; ``init(treeOf:url:)`` is the
    /// tree-walking original, kept to check that both give the same messages.
    public init(bytes: some Collection<UInt8>, url: String) throws(FetchError) {
        let scanner = TelegramEventScanner()
        do { try HTMLEvents.parse(bytes: bytes, url: url, encoding: "utf-8", handler: scanner) } catch {
            throw FetchError(.malformedDocument, "Could not parse the Telegram preview '\(url)': \(error.message)", url: URL(string: url), cause: error)
        }
        try self.init(url: url, messages: scanner.messages.compactMap { $0 }, more: scanner.more,
                      title: scanner.channelTitle, sawChannelInfo: scanner.sawChannelInfo)
    }

    /// The same page read through a libxml2 tree and XPath (slower; the reference for the event scanner).
    init(treeOf bytes: some Collection<UInt8>, url: String) throws(FetchError) {
        let doc: HTMLDocument
        do { doc = try HTMLDocument(bytes: bytes, url: url, encoding: "utf-8") } catch {
            throw FetchError(.malformedDocument, "Could not parse the Telegram preview '\(url)': \(error.message)", url: URL(string: url), cause: error)
        }
        // One XPath pass in C finds the interesting elements; message subtrees are then walked in Swift.
        var messageNodes: [Node] = []
        var more: String?
        var title: String?
        var sawChannelInfo = false
        let found = (try? doc.xpath("//*[@data-post or @data-before or contains(@class, 'tgme_channel_info')]").nodes) ?? []
        for n in found {
            let classes = n.attribute("class") ?? ""
            if Self.hasSpaceToken(classes, "tgme_widget_message"), n.attribute("data-post") != nil { messageNodes.append(n); continue }
            if Self.hasSpaceToken(classes, "tme_messages_more"), let b = n.attribute("data-before") { more = more ?? b }
            if Self.hasSpaceToken(classes, "tgme_channel_info") { sawChannelInfo = true }
            if Self.hasSpaceToken(classes, "tgme_channel_info_header_title") { title = title ?? n.text.nonEmptyTrimmed }
        }
        var messages: [Message] = []
        for n in messageNodes {
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
            if let m = Self.message(post: n.attribute("data-post") ?? "", text: text, date: date, viewsText: viewsText, author: author) {
                messages.append(m)
            }
        }
        try self.init(url: url, messages: messages, more: more, title: title, sawChannelInfo: sawChannelInfo)
    }

    private init(url: String, messages: [Message], more: String?, title: String?, sawChannelInfo: Bool) throws(FetchError) {
        if messages.isEmpty && !sawChannelInfo {
            throw FetchError(.malformedDocument, "'\(url)' is not a Telegram channel preview (no tgme_widget_message). Fetch https://t.me/s/<channel>, or pass --as html.", url: URL(string: url))
        }
        self.url = url
        self.messages = messages
        channel = messages.first?.channel ?? TelegramPreview.channel(fromURL: url)
        channelTitle = title
        before = more.flatMap { Int($0) } ?? messages.map(\.number).min()
    }

    /// A message from its `data-post` (`channel/123`; nil when that has no number) and the parts read from its subtree.
    static func message(post: String, text: String?, date: String?, viewsText: String?, author: String?) -> Message? {
        guard let slash = post.lastIndex(of: "/"), let number = Int(post[post.index(after: slash)...]) else { return nil }
        let body = text ?? ""
        return Message(post: post, channel: String(post[..<slash]), number: number, text: body, date: date,
                       views: viewsText.flatMap(TelegramPreview.parseCount), authorName: author,
                       hashtags: Hashtags.extract(from: body))
    }

    /// Visits `node`'s descendant elements depth-first with their `class` attribute; `visit` returns whether to descend.
    static func walk(_ node: Node?, _ visit: (Node, String?) -> Bool) {
        guard let node else { return }
        for c in node.children where visit(c, c.attribute("class")) { walk(c, visit) }
    }

    /// Whether the class list contains `token` between spaces or tabs (or the ends), on UTF-8 bytes.
    static func hasToken(_ classList: String, _ token: StaticString) -> Bool {
        var copy = classList
        return copy.withUTF8 { hasToken($0, token, tabs: true) }
    }

    /// Whether the class list contains `token` between spaces (or the ends): the message/channel markers.
    static func hasSpaceToken(_ classList: String, _ token: StaticString) -> Bool {
        var copy = classList
        return copy.withUTF8 { hasToken($0, token, tabs: false) }
    }

    static func hasToken(_ b: UnsafeBufferPointer<UInt8>, _ token: StaticString, tabs: Bool) -> Bool {
        let t = UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        guard b.count >= t.count else { return false }
        @inline(__always) func isSeparator(_ c: UInt8) -> Bool { c == 0x20 || (tabs && c == 0x09) }
        var i = 0
        while i + t.count <= b.count {
            if b[i] == t[0] && (i == 0 || isSeparator(b[i - 1]))
                && (i + t.count == b.count || isSeparator(b[i + t.count]))
                && memcmp(b.baseAddress! + i, t.baseAddress!, t.count) == 0 {
                return true
            }
            i += 1
        }
        return false
    }

    /// Telegram's counts: `987`, `1.2K`, `3.4M`.
    ///
    /// ASCII text (always, in practice) is read on bytes with one allocation; anything else goes through
    /// ``parseCountSlowly(_:)``, which the fast path matches exactly.
    static func parseCount(_ s: String) -> Int? {
        var copy = s
        let fast: Int?? = copy.withUTF8 { b -> Int?? in
            var start = 0
            var end = b.count
            @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C }
            while start < end, isSpace(b[start]) { start += 1 }
            while end > start, isSpace(b[end - 1]) { end -= 1 }
            guard end > start else { return .some(nil) }
            var digits: [UInt8] = []
            digits.reserveCapacity(end - start)
            for i in start..<end {
                let c = b[i]
                if c >= 0x80 { return .none }
                if c != 0x2C { digits.append(c >= 0x61 && c <= 0x7A ? c - 0x20 : c) }  // uppercased, commas dropped
            }
            let last = b[end - 1] >= 0x61 && b[end - 1] <= 0x7A ? b[end - 1] - 0x20 : b[end - 1]
            let scale: Double = last == 0x4B ? 1_000 : last == 0x4D ? 1_000_000 : last == 0x42 ? 1_000_000_000 : 1
            if scale != 1 { digits.removeLast() }
            guard let v = Double(String(decoding: digits, as: UTF8.self)) else { return .some(nil) }
            return .some(count(v * scale))
        }
        if let fast { return fast }
        return parseCountSlowly(s)
    }

    /// The reference for ``parseCount(_:)``, on `Character`s.
    static func parseCountSlowly(_ s: String) -> Int? {
        let t = s.trimmedWhitespace.uppercased()
        guard let last = t.last else { return nil }
        let scale: Double = last == "K" ? 1_000 : last == "M" ? 1_000_000 : last == "B" ? 1_000_000_000 : 1
        let number = scale == 1 ? t : String(t.dropLast())
        guard let v = Double(String(number.filter { $0 != "," })) else { return nil }
        return count(v * scale)
    }

    /// A count as an Int; nil for `inf`, `nan` and values past Int's range (which would trap).
    private static func count(_ v: Double) -> Int? {
        let r = v.rounded()
        guard r.isFinite, r > -9.2e18, r < 9.2e18 else { return nil }
        return Int(r)
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

/// The event-side twin of ``TelegramPreview/init(treeOf:url:)``: the same decisions, taken as libxml2 reports
/// elements and text. A message's parts are read from its subtree in document order, skipping quoted replies and
/// the inside of parts already read; captured text is kept as UTF-8 bytes until its element ends.
final class TelegramEventScanner: HTMLEventHandler {
    private struct Open {
        var slot: Int
        var depth: Int
        var post: String
        var text: String?
        var date: String?
        var views: String?
        var author: String?
        /// The depth of an element whose subtree this message's walk skips (a reply, or a part being read).
        var skipping: Int?
    }

    private enum Part { case text, views, author, channelTitle }

    private struct Capture {
        var part: Part
        /// The message's index in `open`, or the channel-title candidate's index.
        var owner: Int
        var depth: Int
        /// Inside a `<br>` of message text: its depth (its content is not read).
        var inBreak: Int?
        var bytes: [UInt8] = []
    }

    /// Messages in document order (nil where a `data-post` had no number).
    private(set) var messages: [TelegramPreview.Message?] = []
    private(set) var more: String?
    private(set) var sawChannelInfo = false
    private var titleCandidates: [String?] = []
    var channelTitle: String? { titleCandidates.lazy.compactMap { $0 }.first }

    private var depth = 0
    private var open: [Open] = []
    private var captures: [Capture] = []

    func startElement(_ tag: HTMLTag) {
        depth += 1
        if !captures.isEmpty, tag.nameIs("br") {
            for i in captures.indices where captures[i].inBreak == nil && captures[i].part == .text {
                captures[i].bytes.append(0x0A)
                captures[i].inBreak = depth
            }
        }
        let cls = tag.attributeBytes("class")
        // Which marker classes the element has, each looked up once: parts split on spaces and tabs
        // (`hasToken(…, tabs: true)`), the message and channel markers on spaces only.
        let parts = cls.map { Self.classes($0, tabs: true) } ?? 0
        for i in open.indices where open[i].skipping == nil {
            if cls != nil {
                if parts & Self.reply != 0 {
                    open[i].skipping = depth
                    continue
                }
                if open[i].text == nil, parts & Self.textClass != 0 {
                    startCapture(.text, owner: i)
                    continue
                }
                if open[i].views == nil, parts & Self.views != 0 {
                    startCapture(.views, owner: i)
                    continue
                }
                if open[i].author == nil, parts & Self.owner != 0 {
                    startCapture(.author, owner: i)
                    continue
                }
            }
            if open[i].date == nil, tag.nameIs("time"), let dt = tag.attribute("datetime") { open[i].date = dt }
        }
        guard let cls else { return }
        let markers = Self.classes(cls, tabs: false)
        guard markers != 0 else { return }
        if markers & Self.message != 0, let post = tag.attribute("data-post") {
            open.append(Open(slot: messages.count, depth: depth, post: post))
            messages.append(nil)
            return
        }
        if markers & Self.more != 0, let b = tag.attribute("data-before") { more = more ?? b }
        if markers & Self.channelInfo != 0 { sawChannelInfo = true }
        if markers & Self.channelTitleClass != 0 {
            captures.append(Capture(part: .channelTitle, owner: titleCandidates.count, depth: depth))
            titleCandidates.append(nil)
        }
    }

    static let reply: UInt8 = 1, textClass: UInt8 = 2, views: UInt8 = 4, owner: UInt8 = 8
    static let message: UInt8 = 16, more: UInt8 = 32, channelInfo: UInt8 = 64, channelTitleClass: UInt8 = 128

    /// The marker classes among the class list's tokens, split on spaces (and tabs when `tabs`), as bits.
    /// Equivalent to `TelegramPreview.hasToken` for each name, in one pass.
    static func classes(_ b: UnsafeBufferPointer<UInt8>, tabs: Bool) -> UInt8 {
        var mask: UInt8 = 0
        var i = 0
        let n = b.count
        while i < n {
            while i < n, b[i] == 0x20 || (tabs && b[i] == 0x09) { i += 1 }
            let start = i
            while i < n, !(b[i] == 0x20 || (tabs && b[i] == 0x09)) { i += 1 }
            let length = i - start
            guard length >= 17, b[start] == 0x74 else { continue }  // "t"
            let token = UnsafeBufferPointer(rebasing: b[start..<i])
            @inline(__always) func matches(_ name: StaticString) -> Bool {
                name.utf8CodeUnitCount == length && memcmp(token.baseAddress!, name.utf8Start, length) == 0
            }
            if tabs {
                switch length {
                case 25: if matches("tgme_widget_message_reply") { mask |= reply } else if matches("tgme_widget_message_views") { mask |= views }
                case 24: if matches("tgme_widget_message_text") { mask |= textClass }
                case 30: if matches("tgme_widget_message_owner_name") { mask |= owner }
                default: break
                }
            } else {
                switch length {
                case 19: if matches("tgme_widget_message") { mask |= message }
                case 17: if matches("tme_messages_more") { mask |= more } else if matches("tgme_channel_info") { mask |= channelInfo }
                case 30: if matches("tgme_channel_info_header_title") { mask |= channelTitleClass }
                default: break
                }
            }
        }
        return mask
    }

    private func startCapture(_ part: Part, owner: Int) {
        open[owner].skipping = depth
        captures.append(Capture(part: part, owner: owner, depth: depth))
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        for i in captures.indices where captures[i].inBreak == nil {
            captures[i].bytes.append(contentsOf: bytes)
        }
    }

    func endElement() {
        if !captures.isEmpty {
            var i = 0
            while i < captures.count {
                if captures[i].depth == depth {
                    finish(captures.remove(at: i))
                    continue
                }
                if captures[i].inBreak == depth { captures[i].inBreak = nil }
                i += 1
            }
        }
        for i in open.indices where open[i].skipping == depth { open[i].skipping = nil }
        if let last = open.last, last.depth == depth {
            open.removeLast()
            messages[last.slot] = TelegramPreview.message(post: last.post, text: last.text, date: last.date,
                                                          viewsText: last.views, author: last.author)
        }
        depth -= 1
    }

    private func finish(_ c: Capture) {
        let s = String(decoding: c.bytes, as: UTF8.self)
        switch c.part {
        case .text: open[c.owner].text = s.trimmedWhitespace
        case .views: open[c.owner].views = s
        case .author: open[c.owner].author = s.nonEmptyTrimmed
        case .channelTitle: titleCandidates[c.owner] = s.nonEmptyTrimmed
        }
    }
}
