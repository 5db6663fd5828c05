import Foundation
public import Posts

/// One page of a TikTok Research API `POST /v2/research/video/query/` response.
///
/// Shape: `{"data": {"videos": [...], "cursor": 20, "has_more": true, "search_id": "…"}, "error": {"code": "ok", …}}`.
/// `region_code` is deliberately not copied into posts: we classify content, never people.
public struct TikTokVideoQueryPage: Sendable {
    public var posts: [Post]
    /// Pass back as `cursor` (with `search_id`) for the next page; nil when `has_more` is false.
    public var cursor: Int?
    public var searchID: String?
    public var hasMore: Bool

    /// - Throws: `FetchError.Code.malformedDocument` for non-JSON or an `error.code` other than `ok`.
    public init(bytes: some Collection<UInt8>, url: String, fetched: String? = nil) throws(FetchError) {
        let json = try parseJSON(bytes, url: url, what: "TikTok Research API response")
        if let code = json["error"]?["code"]?.text, code != "ok" {
            let message = json["error"]?["message"]?.text ?? ""
            throw FetchError(.httpStatus, "The TikTok Research API answered error '\(code)' for '\(url)': \(message). Check the token, the query and the rate limit.", url: URL(string: url))
        }
        guard let data = json["data"], let videos = data["videos"]?.array else {
            throw FetchError(.malformedDocument, "'\(url)' is not a TikTok Research API video query response (no data.videos).", url: URL(string: url))
        }
        posts = videos.compactMap { v -> Post? in
            guard let id = v["id"]?.string else { return nil }
            let username = v["username"]?.text
            let description = v["video_description"]?.text
            let published = v["create_time"]?.double.map { FetchEvidence.iso8601(Date(timeIntervalSince1970: $0)) }
            var captions: [Cue] = []
            if let speech = v["voice_to_text"]?.text {
                let end = v["video_duration"]?.double ?? 0
                captions.append(Cue(start: 0, end: end, text: speech, track: "voice_to_text"))
            }
            let post = Post(id: "tiktok:\(id)", platform: "tiktok",
                            url: username.map { "https://www.tiktok.com/@\($0)/video/\(id)" } ?? "https://www.tiktok.com/video/\(id)",
                            author: username.map { Author(handle: $0) }, published: published, fetched: fetched,
                            description: description,
                            hashtags: Hashtags.merge(v["hashtag_names"]?.strings ?? [], Hashtags.extract(from: description ?? "")),
                            captions: captions)
            return post.hasText ? post : nil
        }
        hasMore = data["has_more"]?.bool ?? false
        cursor = hasMore ? data["cursor"]?.double.map { Int($0) } : nil
        searchID = data["search_id"]?.text
    }
}

/// One page of a YouTube Data API v3 `videos.list` response (`part=snippet`).
public struct YouTubeVideoListPage: Sendable {
    public var posts: [Post]
    public var nextPageToken: String?
    public var prevPageToken: String?

    public init(bytes: some Collection<UInt8>, url: String, fetched: String? = nil) throws(FetchError) {
        let json = try parseJSON(bytes, url: url, what: "YouTube Data API response")
        if let error = json["error"] {
            throw FetchError(.httpStatus, "The YouTube Data API answered error \(error["code"]?.string ?? "?") for '\(url)': \(error["message"]?.text ?? ""). Check the API key and quota.", url: URL(string: url))
        }
        guard let items = json["items"]?.array else {
            throw FetchError(.malformedDocument, "'\(url)' is not a YouTube Data API videos.list response (no items).", url: URL(string: url))
        }
        posts = items.compactMap { item -> Post? in
            guard let id = item["id"]?.text ?? item["id"]?["videoId"]?.text, let s = item["snippet"] else { return nil }
            let description = s["description"]?.text
            let post = Post(id: "youtube:\(id)", platform: "youtube", url: "https://www.youtube.com/watch?v=\(id)",
                            author: Author(id: s["channelId"]?.text, name: s["channelTitle"]?.text),
                            published: s["publishedAt"]?.text, fetched: fetched,
                            language: s["defaultLanguage"]?.text ?? s["defaultAudioLanguage"]?.text,
                            title: s["title"]?.text, description: description,
                            hashtags: Hashtags.merge(s["tags"]?.strings ?? [], Hashtags.extract(from: description ?? "")))
            return post.hasText ? post : nil
        }
        nextPageToken = json["nextPageToken"]?.text
        prevPageToken = json["prevPageToken"]?.text
    }
}

func parseJSON(_ bytes: some Collection<UInt8>, url: String, what: String) throws(FetchError) -> JSONValue {
    do { return try JSONValue(parsing: bytes) } catch {
        throw FetchError(.malformedDocument, "'\(url)' is not valid JSON, so not a \(what): \(error.localizedDescription)", url: URL(string: url), cause: error)
    }
}
