import Crypto
public import Foundation

/// Fetches URLs over libcurl with timeouts, retries, politeness, robots.txt and size caps, and keeps
/// evidence (final URL, status, time, SHA-256) of every response.
///
/// ```swift
/// let client = HTTPClient(configuration: .init(userAgent: "SmuggleWatch/0.1 (+https://example.org/bot)"))
/// let response = try await client.fetch(URL(string: "https://example.org/feed.xml")!)
/// print(response.status, response.evidence.sha256)
/// ```
/// Transfers run on a bounded pool of blocking worker threads (`maxConnections`), never on Swift's
/// cooperative pool. Related documentation: <https://curl.se/libcurl/c/curl_easy_setopt.html>.
public final class HTTPClient: Sendable {
    /// How the client behaves. Every field has a polite, safe default.
    public struct Configuration: Sendable {
        /// Sent as `User-Agent`; its first word is the token robots.txt groups are matched against.
        public var userAgent = "SmuggleWatch/0.1 (+https://github.com/smugglewatch; trust-and-safety research)"
        /// The default is 10 s. The corresponding option is `CURLOPT_CONNECTTIMEOUT_MS`.
        public var connectTimeout: Duration = .seconds(10)
        /// Whole transfer, redirects included. The default is 60 s (`CURLOPT_TIMEOUT_MS`).
        public var totalTimeout: Duration = .seconds(60)
        /// The default is 5 (`CURLOPT_MAXREDIRS`); 0 does not follow redirects.
        public var maxRedirects = 5
        /// Decoded body bytes; past it the transfer is aborted. The default is 20 MiB.
        public var maxResponseBytes = 20 << 20
        public var retry = RetryPolicy()
        /// Worker threads, hence concurrent transfers overall. The default is 16.
        public var maxConnections = 16
        /// Concurrent transfers to one host. The default is 2.
        public var maxConnectionsPerHost = 2
        /// Minimum time between starts of transfers to one host. The default is 500 ms.
        public var perHostInterval: Duration = .milliseconds(500)
        /// Fetch and obey robots.txt. The default is true.
        public var obeysRobotsTxt = true
        /// How long a host's robots.txt is cached. The default is one day.
        public var robotsTxtTTL: Duration = .seconds(86_400)
        /// `http://host:port`, `https://…`, `socks5://…` or `socks5h://…` (DNS through the proxy); nil for none.
        public var proxy: String?
        /// A Netscape-format cookies file (as exported by browsers or `yt-dlp --cookies`), read only.
        public var cookieFile: String?
        /// When set, each body is stored as `<folder>/<sha256>` and the path recorded in the evidence.
        public var archiveDirectory: String?

        public init(userAgent: String? = nil) {
            if let userAgent { self.userAgent = userAgent }
        }
    }

    /// Exponential backoff with jitter, for network errors, 429 and 5xx.
    public struct RetryPolicy: Sendable {
        /// Total attempts, the first included. The default is 4; 1 disables retries.
        public var maxAttempts = 4
        /// The delay before the 2nd attempt; doubles each time. The default is 500 ms.
        public var baseDelay: Duration = .milliseconds(500)
        /// The default is 30 s.
        public var maxDelay: Duration = .seconds(30)
        /// A Retry-After above this fails with `.rateLimited` instead of waiting. The default is 120 s.
        public var maxRetryAfter: Duration = .seconds(120)
        /// Fraction of each delay that is randomised away (0…1). The default is 0.5.
        public var jitter = 0.5

        public init() {}

        /// The delay before attempt `attempt + 1` (attempt counts from 1).
        func delay(after attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
            let exp = min(Double(1 << min(attempt - 1, 20)), 1e6)
            let capped = min(baseDelay * exp, maxDelay)
            let j = min(max(jitter, 0), 1)
            return capped * (1 - j * Double.random(in: 0..<1, using: &random))
        }
    }

    public let configuration: Configuration
    private let pool: CurlWorkerPool
    private let gate: HostGate
    private let robots: RobotsCache

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        pool = CurlWorkerPool(maxThreads: max(1, configuration.maxConnections))
        gate = HostGate(maxConcurrent: configuration.maxConnectionsPerHost, interval: configuration.perHostInterval)
        robots = RobotsCache(ttl: configuration.robotsTxtTTL)
    }

    /// The libcurl in use, e.g. `libcurl/7.88.1 OpenSSL/3.0.17 zlib/1.2.13 brotli/1.0.9`.
    public static var libcurlVersion: String { CurlEasyHandle.versionDescription }

    /// GETs `url`. See `fetch(_: HTTPRequest)`.
    public func fetch(_ url: URL) async throws(FetchError) -> HTTPResponse {
        try await fetch(HTTPRequest(url: url))
    }

    /// GETs a URL, retrying as configured, and returns a 2xx or 304 response.
    ///
    /// - Throws: `FetchError` for bad URLs, robots.txt refusals, network failures after retries,
    ///   oversize responses, and statuses ≥ 400 (`.httpStatus`, or `.rateLimited` for 429).
    public func fetch(_ request: HTTPRequest) async throws(FetchError) -> HTTPResponse {
        let response = try await fetchAnyStatus(request)
        guard response.status < 400 else {
            let u = response.finalURL.absoluteString
            if response.status == 429 {
                throw FetchError(.rateLimited, "'\(u)' answered 429 Too Many Requests \(response.attempts) times. Slow down (perHostInterval) and retry later.", url: request.url, status: 429)
            }
            let hint = response.status >= 500 ? "The server is failing; retry later." : "Check the URL; the page may be gone or private."
            throw FetchError(.httpStatus, "'\(u)' answered HTTP \(response.status) after \(response.attempts) attempt(s). \(hint)", url: request.url, status: response.status)
        }
        return response
    }

    /// Fetches many requests with at most `maxInFlight` outstanding, handing each result to `body` as it
    /// completes (in completion order, one at a time). Memory stays bounded however long `requests` is.
    public func fetchAll<S: Sequence>(
        _ requests: S, maxInFlight: Int? = nil,
        _ body: (HTTPRequest, Result<HTTPResponse, FetchError>) async -> Void
    ) async where S.Element == HTTPRequest {
        let limit = max(1, maxInFlight ?? configuration.maxConnections * 2)
        await withTaskGroup(of: (HTTPRequest, Result<HTTPResponse, FetchError>).self) { group in
            var iterator = requests.makeIterator()
            var running = 0
            func add(_ r: HTTPRequest) {
                group.addTask {
                    do throws(FetchError) { return (r, .success(try await self.fetch(r))) } catch { return (r, .failure(error)) }
                }
            }
            while running < limit, let r = iterator.next() { add(r); running += 1 }
            while let (request, result) = await group.next() {
                await body(request, result)
                if let r = iterator.next() { add(r) }
            }
        }
    }

    /// Like `fetch`, but returns any final status (after retries on 429/5xx).
    func fetchAnyStatus(_ request: HTTPRequest, checkRobots: Bool = true) async throws(FetchError) -> HTTPResponse {
        let url = request.url
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw FetchError(.invalidURL, "Cannot fetch '\(url.absoluteString)': only http and https URLs with a host are fetched. For a local file, pass its path instead.", url: url)
        }
        if checkRobots && configuration.obeysRobotsTxt && url.path != "/robots.txt" {
            let rules = await robots.rules(for: url, client: self)
            var path = url.path.isEmpty ? "/" : url.path
            if let q = url.query { path += "?" + q }
            if !rules.allows(path, userAgent: configuration.userAgent) {
                throw FetchError(.disallowedByRobots, "robots.txt of \(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "") disallows '\(url.absoluteString)' for User-Agent '\(RobotsRules.productToken(configuration.userAgent))'. Skip this URL, or ask the site owner.", url: url)
            }
        }
        var options = CurlTransferOptions(
            url: url.absoluteString, userAgent: configuration.userAgent,
            connectTimeoutMilliseconds: Self.milliseconds(configuration.connectTimeout),
            totalTimeoutMilliseconds: Self.milliseconds(configuration.totalTimeout),
            maxRedirects: configuration.maxRedirects, maxResponseBytes: configuration.maxResponseBytes,
            proxy: configuration.proxy, cookieFile: configuration.cookieFile, postBody: request.body)
        if let etag = request.etag { options.headers.append("If-None-Match: \(etag)") }
        if let lm = request.lastModified { options.headers.append("If-Modified-Since: \(lm)") }
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { options.headers.append("\(name): \(value)") }

        var random = SystemRandomNumberGenerator()
        let policy = configuration.retry
        var attempt = 0
        while true {
            attempt += 1
            let started = Date()
            await gate.acquire(host)
            let result = await pool.perform(options)
            await gate.release(host)
            let canRetry = attempt < max(1, policy.maxAttempts)
            switch result {
            case .failure(let failure):
                let error = FetchError(curl: failure.error, exceededMaxSize: failure.exceededMaxSize, url: url, configuration: configuration)
                guard canRetry && error.isRetryable else { throw error }
                try? await Task.sleep(for: policy.delay(after: attempt, using: &random))
            case .success(let transfer):
                if canRetry && (transfer.status == 429 || transfer.status >= 500) {
                    var delay = policy.delay(after: attempt, using: &random)
                    let retryAfterHeader = transfer.headers.first { $0.name.lowercased() == "retry-after" }?.value
                    if let header = retryAfterHeader, let retryAfter = Self.parseRetryAfter(header, now: Date()) {
                        if retryAfter > policy.maxRetryAfter {
                            throw FetchError(.rateLimited, "'\(url.absoluteString)' asked to retry after \(retryAfter), longer than the \(policy.maxRetryAfter) we wait. Retry later.", url: url, status: transfer.status)
                        }
                        delay = retryAfter
                        await gate.pause(host, for: retryAfter)
                    }
                    try? await Task.sleep(for: delay)
                    continue
                }
                return try makeResponse(request, transfer, started: started, attempts: attempt)
            }
        }
    }

    private func makeResponse(_ request: HTTPRequest, _ t: CurlTransfer, started: Date, attempts: Int) throws(FetchError) -> HTTPResponse {
        let sha = SHA256.hex(of: t.body)
        var archivePath: String?
        if let dir = configuration.archiveDirectory, !t.body.isEmpty {
            let path = (dir as NSString).appendingPathComponent(sha)
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                if !FileManager.default.fileExists(atPath: path) {
                    try Data(t.body).write(to: URL(fileURLWithPath: path), options: .atomic)
                }
                archivePath = path
            } catch {
                throw FetchError(.io, "Could not archive the body of '\(request.url.absoluteString)' to '\(path)': \(error.localizedDescription). Check that the archive folder is writable.", url: request.url, cause: error)
            }
        }
        let evidence = FetchEvidence(finalURL: URL(string: t.effectiveURL) ?? request.url, status: t.status, fetched: started,
                                     sha256: sha, byteCount: t.body.count, archivePath: archivePath)
        return HTTPResponse(request: request, status: t.status, headers: t.headers, body: t.body, evidence: evidence, attempts: attempts)
    }

    static func milliseconds(_ d: Duration) -> Int {
        let c = d.components
        return Int(c.seconds) * 1000 + Int(c.attoseconds / 1_000_000_000_000_000)
    }

    /// `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Nil when unreadable.
    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let v = value.trimmingASCIIWhitespace()
        if let seconds = Int(v) { return .seconds(max(0, seconds)) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            f.dateFormat = format
            if let date = f.date(from: v) { return .milliseconds(max(0, Int(date.timeIntervalSince(now) * 1000))) }
        }
        return nil
    }
}

/// robots.txt per origin, fetched once and cached for the TTL; concurrent lookups share one fetch.
actor RobotsCache {
    private var entries: [String: (rules: RobotsRules, expires: ContinuousClock.Instant)] = [:]
    private var inFlight: [String: Task<RobotsRules, Never>] = [:]
    private let ttl: Duration

    init(ttl: Duration) { self.ttl = ttl }

    func rules(for url: URL, client: HTTPClient) async -> RobotsRules {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return .allowAll }
        let origin = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        if let e = entries[origin], e.expires > .now { return e.rules }
        if let task = inFlight[origin] { return await task.value }
        let task = Task<RobotsRules, Never> {
            guard let robotsURL = URL(string: origin + "/robots.txt") else { return .allowAll }
            do throws(FetchError) {
                let r = try await client.fetchAnyStatus(HTTPRequest(url: robotsURL), checkRobots: false)
                switch r.status {
                case 200..<300: return RobotsRules(parsing: r.body)
                case 500...: return .denyAll  // RFC 9309 §2.3.1.4: server errors mean complete disallow
                default: return .allowAll     // 4xx: no robots.txt
                }
            } catch {
                return .allowAll  // unreachable: the real fetch will report the network error
            }
        }
        inFlight[origin] = task
        let rules = await task.value
        inFlight[origin] = nil
        if entries.count > 10_000 { entries.removeAll() }
        entries[origin] = (rules, .now + ttl)
        return rules
    }
}
