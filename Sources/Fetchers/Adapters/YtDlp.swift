import Captions
import Foundation
public import Posts

/// yt-dlp output: a `*.info.json` plus the subtitle files written beside it by `--write-subs --write-auto-subs`
/// (`<name>.<lang>.vtt`, `.srt`, `.ttml`, `.srv3`, `.json3`).
///
/// Manual and automatic captions are kept apart by track: `es` for a manual track, `es.auto` for an automatic one
/// (a language listed in the info's `subtitles` is manual; one only in `automatic_captions` is automatic).
public enum YtDlp {
    static let captionExtensions: Set<String> = ["vtt", "srt", "ttml", "dfxp", "xml", "srv1", "srv2", "srv3", "json3"]

    /// The post described by an info dict, without captions.
    ///
    /// - Throws: `FetchError.Code.malformedDocument` when the bytes are not a yt-dlp info dict (no `id`).
    public static func post(infoJSON bytes: some Collection<UInt8>, url: String, fetched: String? = nil) throws(FetchError) -> Post {
        let info = try parseJSON(bytes, url: url, what: "yt-dlp info.json")
        return try post(info: info, url: url, fetched: fetched)
    }

    static func post(info: JSONValue, url: String, fetched: String?) throws(FetchError) -> Post {
        guard let id = info["id"]?.text else {
            throw FetchError(.malformedDocument, "'\(url)' is not a yt-dlp info.json (no \"id\"). Write it with yt-dlp --write-info-json.", url: URL(fileURLWithPath: url))
        }
        let extractor = (info["extractor_key"]?.text ?? info["extractor"]?.text ?? "web").lowercased()
        let platform = extractor.hasPrefix("youtube") ? "youtube" : extractor.hasPrefix("tiktok") ? "tiktok" : extractor
        var published: String?
        if let ts = info["timestamp"]?.double ?? info["release_timestamp"]?.double {
            published = FetchEvidence.iso8601(Date(timeIntervalSince1970: ts))
        } else if let d = info["upload_date"]?.text, d.count == 8 {
            published = "\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))"
        }
        let description = info["description"]?.text
        let uploaderID = info["uploader_id"]?.text
        return Post(
            id: "\(platform):\(id)", platform: platform, url: info["webpage_url"]?.text ?? info["original_url"]?.text,
            author: Author(id: info["channel_id"]?.text ?? uploaderID, handle: uploaderID.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 },
                           name: info["uploader"]?.text ?? info["channel"]?.text),
            published: published, fetched: fetched, language: info["language"]?.text,
            title: info["title"]?.text, description: description,
            hashtags: Hashtags.merge(info["tags"]?.strings ?? [], Hashtags.extract(from: description ?? "")))
    }

    /// Reads `<name>.info.json` and its caption files. Broken caption files are reported through `warn` and skipped.
    public static func post(infoJSONPath path: String, warn: (any Error) -> Void = { _ in }) throws(FetchError) -> Post {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FetchError(.io, "Could not read '\(path)'. Check that the file exists and is readable.", url: URL(fileURLWithPath: path))
        }
        let info = try parseJSON(data, url: path, what: "yt-dlp info.json")
        var post = try post(info: info, url: path, fetched: nil)
        let manual = info["subtitles"]?.keys ?? []
        let automatic = info["automatic_captions"]?.keys ?? []
        let dir = (path as NSString).deletingLastPathComponent
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension.replacingOccurrences(of: ".info", with: "", options: [.anchored, .backwards])
        let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []).sorted()
        for file in siblings where file.hasPrefix(base + ".") && !file.hasSuffix(".info.json") {
            let rest = file.dropFirst(base.count + 1)
            let parts = rest.split(separator: ".")
            guard parts.count == 2, captionExtensions.contains(String(parts[1]).lowercased()) else { continue }
            let lang = String(parts[0])
            if lang == "live_chat" { continue }
            let track = manual.contains(lang) || !automatic.contains(lang) ? lang : lang + ".auto"
            let filePath = (dir as NSString).appendingPathComponent(file)
            guard let bytes = FileManager.default.contents(atPath: filePath) else { continue }
            do {
                post.captions += try CaptionParser.cues(from: bytes, url: filePath, track: track)
            } catch {
                warn(error)
            }
        }
        if post.language == nil, let first = manual.sorted().first, manual.count == 1 { post.language = first }
        return post
    }

    /// Every `*.info.json` under `folder` (recursively), in path order.
    public static func infoJSONFiles(under folder: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".info.json") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }
}
