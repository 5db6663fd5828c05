public import Fetchers
public import Foundation

/// One watched source from `sources.toml`.
public struct SourceConfig: Sendable, Hashable {
    /// The crawl-state key: `name`, else the URL as written.
    public var name: String
    public var kind: SourceKind
    /// Where it is: an http(s) URL, or a local file or folder (file:// URLs and relative paths
    /// resolved against the sources file's folder).
    public var location: Location
    /// How often the source is due.
    public var every: Duration
    /// Minimum time between requests to the source's host.
    public var minInterval: Duration
    /// Netscape-format cookies file (absolute path).
    public var cookies: String?
    /// `http://host:port`, `socks5h://host:port`, …
    public var proxy: String?
    /// Added to every post's `tags`.
    public var tags: [String]
    /// How many pages to follow for paging sources (Telegram `before`).
    public var pages: Int
    public var timeout: Duration
    public var enabled: Bool
    /// A JSON query POSTed to the URL (the TikTok Research API); read from the `body` file.
    public var postBody: [UInt8]?
    /// The environment variable holding a bearer token for the `Authorization` header. Named, not
    /// written, in the file, so sources files can be shared without secrets.
    public var tokenVariable: String?
    /// The line of the `[[source]]` header, for messages.
    public var line: Int

    public enum Location: Sendable, Hashable, CustomStringConvertible {
        case url(URL)
        case file(String)

        public var description: String {
            switch self {
            case .url(let u): u.absoluteString
            case .file(let p): "file://" + p
            }
        }
    }
}

/// A sources file's problem, naming the file, the line and the key (exit status 2).
public struct SourcesFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var key: String?
    public var message: String

    public var description: String {
        "\(file):\(line)\(key.map { ": key '\($0)'" } ?? ""): \(message)"
    }
}

/// `sources.toml`: what to crawl, how often and how politely.
///
/// ```toml
/// [defaults]            # optional; any source key except name, kind, url, path
/// every = "1h"
/// rate_limit = "2/s"
///
/// [[source]]
/// name = "telegram:route_demo"
/// kind = "telegram"     # feed, html, telegram, ytdlp, tiktok, youtube-api, jsonl
/// url = "https://t.me/s/route_demo"
/// every = "30m"         # 90s, 30m, 2h, 1d
/// rate_limit = "1/s"    # N/s, N/m, N/h, or a minimum interval ("500ms"); "0" for none
/// cookies = "cookies.txt"
/// proxy = "socks5h://127.0.0.1:9050"
/// tags = ["watchlist:demo"]
/// pages = 3
///
/// [[source]]
/// name = "tiktok:research"
/// kind = "tiktok"
/// url = "https://open.tiktokapis.com/v2/research/video/query/?fields=id,video_description,username"
/// body = "tiktok-query.json"     # POSTed; the next pages add cursor and search_id
/// token_env = "TIKTOK_TOKEN"     # Authorization: Bearer $TIKTOK_TOKEN
/// pages = 10
/// ```
public struct SourcesFile: Sendable {
    public var path: String
    public var sources: [SourceConfig]

    public static let sourceKeys: Set<String> = [
        "name", "kind", "url", "path", "every", "rate_limit", "cookies", "proxy", "tags", "pages", "timeout", "enabled",
        "body", "token_env",
    ]
    static let defaultKeys = sourceKeys.subtracting(["name", "kind", "url", "path"])

    public init(path: String, sources: [SourceConfig]) {
        self.path = path
        self.sources = sources
    }

    /// Reads and checks a sources file.
    ///
    /// - Throws: ``SourcesFileError`` naming the file, line and key for anything malformed.
    public static func load(_ path: String) throws(SourcesFileError) -> SourcesFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SourcesFileError(
                file: path, line: 0, key: nil,
                message: exists
                    ? "cannot read the file. Check its permissions."
                    : "no such file. Pass --sources FILE (Fixtures/demo/sources.toml is a working example).")
        }
        return try parse(Array(data), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws(SourcesFileError) -> SourcesFile {
        let doc: TOMLDocument
        do {
            doc = try TOMLDocument(bytes: bytes, file: path)
        } catch {
            throw SourcesFileError(file: error.file, line: error.line, key: error.key, message: error.message)
        }
        let folder = (((path as NSString).standardizingPath) as NSString).deletingLastPathComponent
        let base = folder.isEmpty ? FileManager.default.currentDirectoryPath : absolute(folder)
        for key in doc.root.keys {
            throw SourcesFileError(
                file: path, line: doc.root[key]!.line, key: key,
                message: "keys belong in a [[source]] or [defaults] table; move it under one.")
        }
        for (name, table) in doc.tables where name != "defaults" {
            throw SourcesFileError(file: path, line: table.line, key: name, message: "unknown table [\(name)]; use [defaults] or [[source]].")
        }
        for (name, tables) in doc.arrays where name != "source" {
            throw SourcesFileError(file: path, line: tables[0].line, key: name, message: "unknown array of tables [[\(name)]]; use [[source]].")
        }
        let defaults = doc.tables["defaults"] ?? TOMLDocument.Table(line: 0)
        for key in defaults.keys where !defaultKeys.contains(key) {
            throw SourcesFileError(
                file: path, line: defaults[key]!.line, key: key,
                message: "not allowed in [defaults]; allowed: \(defaultKeys.sorted().joined(separator: ", ")).")
        }
        var sources: [SourceConfig] = []
        var names: [String: Int] = [:]
        for table in doc.arrays["source"] ?? [] {
            let source = try Self.source(table, defaults: defaults, base: base, path: path)
            if let previous = names[source.name] {
                throw SourcesFileError(
                    file: path, line: table.line, key: "name",
                    message: "the source name '\(source.name)' is already used on line \(previous); names must be unique.")
            }
            names[source.name] = table.line
            sources.append(source)
        }
        return SourcesFile(path: path, sources: sources)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }

    private static func source(
        _ table: TOMLDocument.Table, defaults: TOMLDocument.Table, base: String, path: String
    ) throws(SourcesFileError) -> SourceConfig {
        func error(_ key: String?, _ message: String, line: Int? = nil) -> SourcesFileError {
            SourcesFileError(file: path, line: line ?? table[key ?? ""]?.line ?? defaults[key ?? ""]?.line ?? table.line, key: key, message: message)
        }
        for key in table.keys where !sourceKeys.contains(key) {
            throw error(key, "unknown key in [[source]]; known keys: \(sourceKeys.sorted().joined(separator: ", ")).")
        }
        func entry(_ key: String) -> TOMLDocument.Entry? { table[key] ?? defaults[key] }
        func string(_ key: String) throws(SourcesFileError) -> String? {
            guard let e = entry(key) else { return nil }
            guard case .string(let s) = e.value else { throw error(key, "expected a string, found \(e.value.typeName).", line: e.line) }
            return s
        }
        func duration(_ key: String, default value: Duration) throws(SourcesFileError) -> Duration {
            guard let e = entry(key) else { return value }
            guard case .string(let s) = e.value, let d = parseDuration(s), d > .zero else {
                throw error(key, "expected a duration such as \"90s\", \"30m\", \"2h\" or \"1d\".", line: e.line)
            }
            return d
        }

        guard let kindName = try string("kind") else {
            throw error(nil, "the source has no 'kind'; add kind = one of \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard let kind = SourceKind(rawValue: kindName) else {
            throw error("kind", "unknown kind '\(kindName)'; use one of \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let url = try string("url")
        let filePath = try string("path")
        let location: SourceConfig.Location
        switch (url, filePath) {
        case (nil, nil): throw error(nil, "the source has neither 'url' nor 'path'; give one.")
        case (.some, .some): throw error("path", "give either 'url' or 'path', not both.")
        case (nil, .some(let p)):
            guard !p.isEmpty else { throw error("path", "the path is empty.") }
            location = .file(resolve(p, base: base))
        case (.some(let u), nil):
            if u.hasPrefix("file://") {
                let p = String(u.dropFirst("file://".count)).removingPercentEncoding ?? String(u.dropFirst("file://".count))
                guard !p.isEmpty else { throw error("url", "the file:// URL has no path.") }
                location = .file(resolve(p, base: base))
            } else if u.hasPrefix("http://") || u.hasPrefix("https://") {
                guard let parsed = URL(string: u), let host = parsed.host, !host.isEmpty else {
                    throw error("url", "'\(u)' is not a valid URL.")
                }
                location = .url(parsed)
            } else {
                throw error("url", "'\(u)' is neither an http(s) nor a file:// URL; for a local file use path = \"…\".")
            }
        }
        let name = try string("name") ?? url ?? filePath!
        if name.isEmpty { throw error("name", "the name is empty.") }

        var minInterval: Duration = .milliseconds(500)
        if let e = entry("rate_limit") {
            guard case .string(let s) = e.value, let d = parseRate(s) else {
                throw error("rate_limit", "expected a rate such as \"2/s\", \"30/m\", a minimum interval such as \"500ms\", or \"0\" for none.", line: e.line)
            }
            minInterval = d
        }
        var tags: [String] = []
        if let e = entry("tags") {
            guard case .array(let items) = e.value else { throw error("tags", "expected an array of strings, found \(e.value.typeName).", line: e.line) }
            for item in items {
                guard case .string(let s) = item else { throw error("tags", "expected an array of strings; one item is \(item.typeName).", line: e.line) }
                tags.append(s)
            }
        }
        var pages = 1
        if let e = entry("pages") {
            guard case .integer(let n) = e.value, n >= 1, n <= 1000 else { throw error("pages", "expected an integer from 1 to 1000.", line: e.line) }
            pages = n
        }
        var enabled = true
        if let e = entry("enabled") {
            guard case .boolean(let b) = e.value else { throw error("enabled", "expected true or false, found \(e.value.typeName).", line: e.line) }
            enabled = b
        }
        let cookies = try string("cookies").map { resolve($0, base: base) }
        let proxy = try string("proxy")
        if let proxy, !proxy.contains("://") {
            throw error("proxy", "'\(proxy)' has no scheme; write http://host:port or socks5h://host:port.")
        }
        var postBody: [UInt8]?
        if let bodyPath = try string("body") {
            guard case .url = location else { throw error("body", "a body is POSTed to an http(s) url; this source has a path.") }
            let full = resolve(bodyPath, base: base)
            guard let data = FileManager.default.contents(atPath: full) else {
                throw error("body", "cannot read '\(full)'. Write the API query there as JSON, or fix the path (relative to this file).")
            }
            guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                throw error("body", "'\(full)' is not a JSON object; the query must be one, such as {\"query\": {…}, \"max_count\": 100}.")
            }
            postBody = Array(data)
        }
        let tokenVariable = try string("token_env")
        if let tokenVariable, tokenVariable.isEmpty || tokenVariable.contains("=") || tokenVariable.contains(" ") {
            throw error("token_env", "'\(tokenVariable)' is not an environment variable name; write the name (TIKTOK_TOKEN), never the token itself.")
        }
        return SourceConfig(
            name: name, kind: kind, location: location, every: try duration("every", default: .seconds(3600)),
            minInterval: minInterval, cookies: cookies, proxy: proxy, tags: tags, pages: pages,
            timeout: try duration("timeout", default: .seconds(60)), enabled: enabled, postBody: postBody,
            tokenVariable: tokenVariable, line: table.line)
    }

    static func resolve(_ path: String, base: String) -> String {
        let p = (path as NSString).expandingTildeInPath
        return p.hasPrefix("/") ? (p as NSString).standardizingPath : ((base as NSString).appendingPathComponent(p) as NSString).standardizingPath
    }
}

/// `90s`, `30m`, `2h`, `1d`, `500ms` or plain seconds.
public func parseDuration(_ text: String) -> Duration? {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
    var number = t
    var scale = 1.0
    for (suffix, factor) in units where t.hasSuffix(suffix) {
        number = String(t.dropLast(suffix.count))
        scale = factor
        break
    }
    guard let n = Double(number), n.isFinite, n >= 0 else { return nil }
    return .milliseconds(Int64((n * scale * 1000).rounded()))
}

/// `N/s`, `N/m`, `N/h` → the interval between requests; a duration is the interval itself; `0` is none.
func parseRate(_ text: String) -> Duration? {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    if let slash = t.firstIndex(of: "/") {
        guard let n = Double(t[..<slash].trimmingCharacters(in: .whitespaces)), n > 0, n.isFinite else { return nil }
        let unit: Double
        switch t[t.index(after: slash)...].trimmingCharacters(in: .whitespaces) {
        case "s", "sec", "second": unit = 1
        case "m", "min", "minute": unit = 60
        case "h", "hour": unit = 3600
        default: return nil
        }
        return .milliseconds(Int64((unit / n * 1000).rounded()))
    }
    return parseDuration(t)
}
