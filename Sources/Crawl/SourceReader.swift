import Crypto
import Fetchers
import Foundation
import Posts

/// One page of a source, turned into posts.
struct SourcePage: Sendable {
    var posts: [Post]
    /// Problems with single posts (a bad JSONL line, a broken *.info.json); the rest were read.
    var postErrors: [String]
    var rawSHA256: String?
    var fetchedAt: Date
    var sourceURL: String
    var nextPage: String?
}

/// What reading a source gave: its pages, or "not modified" (HTTP 304, or a local file whose
/// size and modification time are unchanged), plus the validators to send next time.
struct SourceRead: Sendable {
    var notModified = false
    var pages: [SourcePage] = []
    var etag: String?
    var lastModified: String?
    var cursor: String?
}

/// A source that could not be read at all.
struct SourceFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Reads sources: local files and folders directly, http(s) through one `HTTPClient` per
/// (proxy, cookies, rate limit, timeout), so each source gets its own politeness settings.
final class SourceReader: @unchecked Sendable {
    private var clients: [String: HTTPClient] = [:]
    private let lock = NSLock()
    let userAgent: String?
    let obeysRobotsTxt: Bool

    init(userAgent: String?, obeysRobotsTxt: Bool) {
        self.userAgent = userAgent
        self.obeysRobotsTxt = obeysRobotsTxt
    }

    func client(for source: SourceConfig) -> HTTPClient {
        let key = "\(source.proxy ?? "")|\(source.cookies ?? "")|\(source.minInterval)|\(source.timeout)"
        return lock.withLock {
            if let c = clients[key] { return c }
            var configuration = HTTPClient.Configuration(userAgent: userAgent)
            configuration.proxy = source.proxy
            configuration.cookieFile = source.cookies
            configuration.perHostInterval = source.minInterval
            configuration.totalTimeout = source.timeout
            configuration.obeysRobotsTxt = obeysRobotsTxt
            let c = HTTPClient(configuration: configuration)
            clients[key] = c
            return c
        }
    }

    /// Reads one source, sending the stored validators.
    func read(_ source: SourceConfig, etag: String?, lastModified: String?) async throws(SourceFailure) -> SourceRead {
        switch source.location {
        case .file(let path): return try readLocal(source, path: path, lastModified: lastModified)
        case .url(let url): return try await readHTTP(source, url: url, etag: etag, lastModified: lastModified)
        }
    }

    // MARK: Local files and folders

    private func readLocal(_ source: SourceConfig, path: String, lastModified: String?) throws(SourceFailure) -> SourceRead {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SourceFailure(message: "'\(path)' does not exist. Fix the path or url of source '\(source.name)'.")
        }
        let now = Date()
        // The validator of a local source: size and modification time of its files.
        let validator = Self.fingerprint(path, isDirectory: isDirectory.boolValue)
        if let validator, validator == lastModified { return SourceRead(notModified: true, lastModified: validator) }
        var page = SourcePage(posts: [], postErrors: [], rawSHA256: nil, fetchedAt: now, sourceURL: "file://" + path)
        let fetched = now.ISO8601Format()
        if isDirectory.boolValue {
            guard source.kind == .ytdlp else {
                throw SourceFailure(message: "'\(path)' is a folder; only kind = \"ytdlp\" sources may be folders. Point '\(source.name)' at a file.")
            }
            for file in YtDlp.infoJSONFiles(under: path) {
                do throws(FetchError) {
                    var post = try YtDlp.post(infoJSONPath: file) { warning in page.postErrors.append("\(warning)") }
                    post.fetched = post.fetched ?? fetched
                    page.posts.append(post)
                } catch {
                    page.postErrors.append(error.message)
                }
            }
            return SourceRead(pages: [page], lastModified: validator)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SourceFailure(message: "Could not read '\(path)'. Check that it is a readable file.")
        }
        let bytes = [UInt8](data)
        if source.kind == .jsonl {
            Self.readJSONL(bytes, url: path, into: &page)
        } else if source.kind == .ytdlp {
            do throws(FetchError) {
                var post = try YtDlp.post(infoJSONPath: path) { warning in page.postErrors.append("\(warning)") }
                post.fetched = post.fetched ?? fetched
                page.posts.append(post)
            } catch {
                throw SourceFailure(message: error.message)
            }
        } else {
            do throws(FetchError) {
                let output = try SourceAdapter.posts(from: bytes, url: path, kind: source.kind, fetched: fetched)
                page.posts = output.posts
                page.nextPage = output.nextPage
            } catch {
                throw SourceFailure(message: error.message)
            }
        }
        page.rawSHA256 = SHA256Hex.of(bytes)
        return SourceRead(pages: [page], lastModified: validator, cursor: page.nextPage)
    }

    static func fingerprint(_ path: String, isDirectory: Bool) -> String? {
        let fm = FileManager.default
        func stamp(_ p: String) -> (Int, Double)? {
            guard let a = try? fm.attributesOfItem(atPath: p), let size = a[.size] as? NSNumber, let date = a[.modificationDate] as? Date
            else { return nil }
            return (size.intValue, date.timeIntervalSince1970)
        }
        if !isDirectory {
            return stamp(path).map { "file:\($0.0):\(Int64($0.1 * 1000))" }
        }
        guard let walker = fm.enumerator(atPath: path) else { return nil }
        var count = 0
        var total = 0
        var newest = 0.0
        var names: [String] = []
        for case let relative as String in walker {
            guard let (size, time) = stamp((path as NSString).appendingPathComponent(relative)) else { continue }
            count += 1
            total &+= size
            newest = max(newest, time)
            names.append(relative)
        }
        // The names too, so a rename or a swap of same-sized files counts as a change.
        let namesHash = SHA256Hex.of(Array(names.sorted().joined(separator: "\n").utf8)).prefix(16)
        return "dir:\(count):\(total):\(Int64(newest * 1000)):\(namesHash)"
    }

    /// Post JSONL, one post per line; a bad line is reported and skipped, the rest are read.
    static func readJSONL(_ bytes: [UInt8], url: String, into page: inout SourcePage) {
        var lineNumber = 0
        var start = 0
        let count = bytes.count
        bytes.withUnsafeBytes { raw in
            while start < count {
                var end = start
                while end < count, raw[end] != 0x0A { end += 1 }
                lineNumber += 1
                var stop = end
                if stop > start, raw[stop - 1] == 0x0D { stop -= 1 }
                var blank = true
                for k in start..<stop where raw[k] != 0x20 && raw[k] != 0x09 {
                    blank = false
                    break
                }
                if !blank {
                    do throws(PostsError) {
                        page.posts.append(try Post(jsonLine: UnsafeRawBufferPointer(rebasing: raw[start..<stop])))
                    } catch {
                        page.postErrors.append("line \(lineNumber) of '\(url)': \(error.message)")
                    }
                }
                start = end + 1
            }
        }
    }

    // MARK: HTTP

    private func readHTTP(_ source: SourceConfig, url: URL, etag: String?, lastModified: String?) async throws(SourceFailure) -> SourceRead {
        let client = client(for: source)
        var read = SourceRead()
        var headers: [String: String] = [:]
        if source.postBody != nil { headers["Content-Type"] = "application/json" }
        if let variable = source.tokenVariable {
            guard let token = ProcessInfo.processInfo.environment[variable], !token.isEmpty else {
                throw SourceFailure(message: "The environment variable \(variable) (token_env of source '\(source.name)') is not set. Export the API token in it before the crawl runs.")
            }
            headers["Authorization"] = "Bearer \(token)"
        }
        var next: HTTPRequest? = HTTPRequest(url: url, headers: headers, body: source.postBody)
        var seen = Set<String>()
        var first = true
        while var request = next, read.pages.count < source.pages {
            if first && request.body == nil {
                request.etag = etag
                request.lastModified = lastModified
            }
            let response: HTTPResponse
            do throws(FetchError) {
                response = try await client.fetch(request)
            } catch {
                throw SourceFailure(message: error.message)
            }
            if first {
                read.etag = response.header("ETag") ?? etag
                read.lastModified = response.header("Last-Modified") ?? lastModified
                if response.isNotModified {
                    read.notModified = true
                    return read
                }
                first = false
            }
            let finalURL = response.finalURL.absoluteString
            var page = SourcePage(
                posts: [], postErrors: [], rawSHA256: response.evidence.sha256, fetchedAt: response.evidence.fetched, sourceURL: finalURL)
            var output: AdapterOutput?
            if source.kind == .jsonl {
                Self.readJSONL(response.body, url: finalURL, into: &page)
                for k in page.posts.indices where page.posts[k].fetched == nil { page.posts[k].fetched = response.evidence.fetchedISO8601 }
            } else {
                do throws(FetchError) {
                    let adapted = try SourceAdapter.posts(
                        from: response.body, url: finalURL, mediaType: response.mediaType, charset: response.charset,
                        kind: source.kind, fetched: response.evidence.fetchedISO8601,
                        contentLocation: response.header("Content-Location"))
                    page.posts = adapted.posts
                    page.nextPage = adapted.nextPage
                    output = adapted
                } catch {
                    // A later page that fails to parse ends paging; the first one fails the source.
                    if read.pages.isEmpty { throw SourceFailure(message: error.message) }
                    read.pages.append(SourcePage(posts: [], postErrors: [error.message], fetchedAt: Date(), sourceURL: finalURL))
                    break
                }
            }
            // Stop paging when a page brings nothing new (the oldest page repeats itself).
            var fresh: [Post] = []
            for post in page.posts where seen.insert(post.id).inserted { fresh.append(post) }
            page.posts = fresh
            read.cursor = page.nextPage ?? read.cursor
            read.pages.append(page)
            // The Telegram `before` URL, the YouTube page token, the TikTok cursor.
            next = fresh.isEmpty ? nil : output?.nextRequest(after: request)
        }
        return read
    }
}

enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in SHA256.hash(data: bytes) {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
