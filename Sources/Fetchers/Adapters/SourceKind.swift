import Foundation
public import Posts

/// What kind of source some bytes are, for picking an adapter.
public enum SourceKind: String, Sendable, CaseIterable {
    case feed, html, telegram, ytdlp, tiktok
    case youtubeAPI = "youtube-api"
    case jsonl

    /// Guesses the kind from the media type, the URL and the first bytes.
    public static func detect(bytes: some Collection<UInt8>, url: String, mediaType: String? = nil) -> SourceKind? {
        let head = Array(bytes.prefix(4096))
        let text = String(decoding: head, as: UTF8.self).lowercased()
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        let mt = mediaType ?? ""
        if url.contains("t.me/s/") || text.contains("tgme_widget_message") || text.contains("tgme_channel_info") { return .telegram }
        if url.hasSuffix(".info.json") { return .ytdlp }
        if url.hasSuffix(".jsonl") || url.hasSuffix(".ndjson") || mt.contains("ndjson") || mt.contains("jsonl") { return .jsonl }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") || mt.contains("json") {
            if text.contains("youtube#videolistresponse") || text.contains("\"youtube#video\"") { return .youtubeAPI }
            if text.contains("\"videos\"") && (text.contains("\"data\"") || text.contains("video_description")) { return .tiktok }
            if text.contains("\"extractor\"") || text.contains("\"webpage_url\"") || text.contains("\"extractor_key\"") { return .ytdlp }
            if let firstLine = trimmed.split(separator: "\n", maxSplits: 1).first, firstLine.hasPrefix("{\"id\""), trimmed.contains("\n{") || !trimmed.contains("\"formats\"") { return .jsonl }
            if trimmed.hasPrefix("{\"id\"") { return .jsonl }
            return nil
        }
        if mt.contains("rss") || mt.contains("atom") || mt.contains("rdf") { return .feed }
        if text.contains("<rss") || text.contains("<feed") || text.contains("<rdf:rdf") || text.contains("<channel") && !text.contains("<html") { return .feed }
        if mt.contains("html") || text.contains("<html") || text.contains("<!doctype html") || text.contains("<head") || text.contains("<meta") { return .html }
        if trimmed.hasPrefix("<?xml") || mt.contains("xml") { return .feed }
        return nil
    }
}

/// What an adapter produced from one document: posts plus where the next page is, if the source pages.
public struct AdapterOutput: Sendable {
    public var kind: SourceKind
    public var posts: [Post]
    /// A URL (Telegram `before`), a cursor or a page token for the next page.
    public var nextPage: String?
    /// The TikTok Research API `search_id` that goes back with the cursor.
    public var searchID: String?

    public init(kind: SourceKind, posts: [Post], nextPage: String? = nil, searchID: String? = nil) {
        self.kind = kind
        self.posts = posts
        self.nextPage = nextPage
        self.searchID = searchID
    }

    /// The request for the next page, made from the one that fetched this page: the Telegram
    /// `before` URL; the YouTube Data API URL with `pageToken`; the TikTok Research API query body
    /// with `cursor` and `search_id`. Nil when the source has no more pages (or does not page).
    public func nextRequest(after request: HTTPRequest) -> HTTPRequest? {
        guard let nextPage else { return nil }
        var next = HTTPRequest(url: request.url, headers: request.headers, body: request.body)
        switch kind {
        case .youtubeAPI:
            guard var components = URLComponents(url: request.url, resolvingAgainstBaseURL: false) else { return nil }
            var items = (components.queryItems ?? []).filter { $0.name != "pageToken" }
            items.append(URLQueryItem(name: "pageToken", value: nextPage))
            components.queryItems = items
            guard let url = components.url else { return nil }
            next.url = url
        case .tiktok:
            // The query is POSTed; the next page is the same query with the cursor and search id.
            guard let body = request.body, let cursor = Int(nextPage),
                var query = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            else { return nil }
            query["cursor"] = cursor
            if let searchID { query["search_id"] = searchID }
            guard let data = try? JSONSerialization.data(withJSONObject: query, options: [.sortedKeys]) else { return nil }
            next.body = Array(data)
        default:
            guard nextPage.hasPrefix("http://") || nextPage.hasPrefix("https://"), let url = URL(string: nextPage) else { return nil }
            next.url = url
        }
        return next
    }
}

/// Picks the adapter for a document and runs it.
public enum SourceAdapter {
    /// Posts from one fetched or local document.
    ///
    /// - Parameters:
    ///   - kind: the adapter to use, or nil to detect it (``SourceKind/detect(bytes:url:mediaType:)``).
    ///   - fetched: the fetch time for `Post.fetched`.
    ///   - contentLocation: the HTTP `Content-Location` header; feeds resolve relative links against it.
    /// - Throws: `FetchError` (`.unsupportedContent` when no kind fits; `.malformedDocument` from the adapter).
    public static func posts(from bytes: some Collection<UInt8>, url: String, mediaType: String? = nil, charset: String? = nil,
                             kind: SourceKind? = nil, fetched: String? = nil,
                             contentLocation: String? = nil) throws(FetchError) -> AdapterOutput {
        guard let kind = kind ?? SourceKind.detect(bytes: bytes, url: url, mediaType: mediaType) else {
            throw FetchError(.unsupportedContent, "Cannot tell what kind of source '\(url)' is\(mediaType.map { " (Content-Type \($0))" } ?? ""). Pass --as with one of: \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")).", url: URL(string: url))
        }
        switch kind {
        case .feed:
            return AdapterOutput(kind: kind, posts: try Feed(bytes: bytes, url: url, contentLocation: contentLocation).posts(fetched: fetched))
        case .html:
            return AdapterOutput(kind: kind, posts: [try HTMLPage(bytes: bytes, url: url, encoding: charset).post(fetched: fetched)])
        case .telegram:
            let page = try TelegramPreview(bytes: bytes, url: url)
            return AdapterOutput(kind: kind, posts: page.posts(fetched: fetched), nextPage: page.nextPageURL)
        case .ytdlp:
            var post = try YtDlp.post(infoJSON: bytes, url: url, fetched: fetched)
            post.fetched = fetched
            return AdapterOutput(kind: kind, posts: [post])
        case .tiktok:
            let page = try TikTokVideoQueryPage(bytes: bytes, url: url, fetched: fetched)
            return AdapterOutput(kind: kind, posts: page.posts, nextPage: page.cursor.map(String.init), searchID: page.searchID)
        case .youtubeAPI:
            let page = try YouTubeVideoListPage(bytes: bytes, url: url, fetched: fetched)
            return AdapterOutput(kind: kind, posts: page.posts, nextPage: page.nextPageToken)
        case .jsonl:
            var posts: [Post] = []
            var lineNumber = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                let l = Array(line)
                if l.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                let parsed: Result<Post, PostsError> = l.withUnsafeBytes { buf in
                    do throws(PostsError) { return .success(try Post(jsonLine: buf)) } catch { return .failure(error) }
                }
                switch parsed {
                case .success(let p): posts.append(p)
                case .failure(let error):
                    throw FetchError(.malformedDocument, "Could not parse line \(lineNumber) of '\(url)': \(error.message)", url: URL(string: url), cause: error)
                }
            }
            return AdapterOutput(kind: kind, posts: posts)
        }
    }
}
