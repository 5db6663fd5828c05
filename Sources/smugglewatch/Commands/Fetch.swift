import ArgumentParser
import Fetchers
import Foundation
import Posts

extension SmuggleWatch {
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch or parse one source and print its posts as JSONL.",
            discussion: """
            SOURCE is an http(s) URL or a local file: a feed (RSS, Atom, YouTube channel feed), an HTML post page, \
            a Telegram channel preview (https://t.me/s/<channel>), a yt-dlp *.info.json (captions beside it are read), \
            a TikTok Research API or YouTube Data API response, or post JSONL. The kind is detected from the \
            Content-Type and the content unless --as is given.
            """)

        @Argument(help: "An http(s) URL or a file path.")
        var source: String

        @Option(name: .customLong("as"), help: "The source kind: \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kindName: String?

        var kind: SourceKind? { kindName.flatMap(SourceKind.init(rawValue:)) }

        @Option(help: "Follow paging (Telegram `before`) for up to this many pages.")
        var pages: Int = 1

        @Option(help: "Total timeout per request, in seconds.")
        var timeout: Int = 60

        @Option(help: "The User-Agent header (its first word is matched against robots.txt).")
        var userAgent: String?

        @Flag(help: "Fetch even where robots.txt disallows it.")
        var ignoreRobots = false

        @Option(help: "Proxy URL: http://host:port, socks5h://host:port.")
        var proxy: String?

        @Option(help: "A Netscape-format cookies file (as exported by browsers or yt-dlp).")
        var cookies: String?

        @Option(help: "Archive raw response bodies in this folder, named by SHA-256.")
        var archive: String?

        @Option(help: "Largest response accepted, in bytes (after decompression).")
        var maxBytes: Int = 20 << 20

        func validate() throws {
            if let kindName, SourceKind(rawValue: kindName) == nil {
                throw ValidationError("Unknown kind '\(kindName)' for --as. Use one of: \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            if pages < 1 { throw ValidationError("--pages must be at least 1.") }
            if timeout < 1 { throw ValidationError("--timeout must be at least 1 second.") }
        }

        func run() throws {
            let isURL = source.hasPrefix("http://") || source.hasPrefix("https://")
            do {
                if isURL {
                    let command = self
                    try runBlocking { try await command.fetchURL() }
                } else {
                    var out = PostOutput()
                    defer { out.flush() }
                    try readFile(into: &out)
                }
            } catch let error as FetchError {
                printError(error.message)
                throw ExitCode.failure
            }
        }

        private func fetchURL() async throws {
            var out = PostOutput()
            defer { out.flush() }
            var configuration = HTTPClient.Configuration(userAgent: userAgent)
            configuration.totalTimeout = .seconds(timeout)
            configuration.obeysRobotsTxt = !ignoreRobots
            configuration.proxy = proxy
            configuration.cookieFile = cookies
            configuration.archiveDirectory = archive
            configuration.maxResponseBytes = maxBytes
            let client = HTTPClient(configuration: configuration)
            var next: String? = source
            var page = 0
            var seen = Set<String>()
            while let urlString = next, page < pages {
                page += 1
                guard let url = URL(string: urlString) else {
                    throw FetchError(.invalidURL, "'\(urlString)' is not a valid URL.")
                }
                let response = try await client.fetch(url)
                let result = try SourceAdapter.posts(
                    from: response.body, url: response.finalURL.absoluteString, mediaType: response.mediaType,
                    charset: response.charset, kind: kind, fetched: response.evidence.fetchedISO8601,
                    contentLocation: response.header("Content-Location"))
                var fresh = 0
                for post in result.posts where seen.insert(post.id).inserted {
                    out.write(post)
                    fresh += 1
                }
                // Stop paging when a page brings nothing new (the oldest page repeats itself).
                next = result.kind == .telegram && fresh > 0 ? result.nextPage : nil
            }
        }

        private func readFile(into out: inout PostOutput) throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
                throw FetchError(.io, "'\(source)' is neither an http(s) URL nor an existing file. Check the path.")
            }
            if isDirectory.boolValue || source.hasSuffix(".info.json") && (kind == nil || kind == .ytdlp) {
                let files = isDirectory.boolValue ? YtDlp.infoJSONFiles(under: source) : [source]
                if files.isEmpty { throw FetchError(.io, "No *.info.json under '\(source)'. Run yt-dlp with --write-info-json.") }
                for f in files {
                    out.write(try YtDlp.post(infoJSONPath: f) { printError("\($0)", prefix: "Warning") })
                }
                return
            }
            guard let data = FileManager.default.contents(atPath: source) else {
                throw FetchError(.io, "Could not read '\(source)'. Check that it is a readable file.")
            }
            let result = try SourceAdapter.posts(from: data, url: source, kind: kind)
            for post in result.posts { out.write(post) }
        }
    }
}

/// Runs async work from a synchronous command and waits for it (the root command is a `ParsableCommand`).
/// The main thread only waits; the work runs on Swift's cooperative pool and the HTTP client's own threads.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    final class Box: @unchecked Sendable { var error: (any Error)? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { box.error = error }
        done.signal()
    }
    done.wait()
    if let error = box.error { throw error }
}
