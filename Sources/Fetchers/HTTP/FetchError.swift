public import Foundation

/// A failed fetch or a document an adapter could not read. The message names the URL or file and says what to do.
///
/// ```swift
/// do { _ = try await client.fetch(url) }
/// catch FetchError.Code.timedOut { … }
/// ```
public struct FetchError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: String, Hashable, Sendable {
            case invalidURL, timedOut, couldNotResolveHost, couldNotConnect, tooManyRedirects, responseTooLarge
            case proxy, httpStatus, rateLimited, disallowedByRobots, network, malformedDocument, unsupportedContent, io
        }
        private let raw: Raw
        /// The URL is not an http(s) URL libcurl can fetch.
        public static let invalidURL = Code(raw: .invalidURL)
        /// The connect or total timeout passed.
        public static let timedOut = Code(raw: .timedOut)
        /// DNS could not resolve the host (or the proxy).
        public static let couldNotResolveHost = Code(raw: .couldNotResolveHost)
        /// The TCP/TLS connection failed.
        public static let couldNotConnect = Code(raw: .couldNotConnect)
        /// The proxy failed the request: its handshake, or (socks5://) the target name did not resolve here.
        public static let proxy = Code(raw: .proxy)
        /// More redirects than the configured cap, or a loop.
        public static let tooManyRedirects = Code(raw: .tooManyRedirects)
        /// The (decoded) response passed the configured maximum size; the transfer was aborted.
        public static let responseTooLarge = Code(raw: .responseTooLarge)
        /// The server answered with a status that is not 2xx or 304 (after retries).
        public static let httpStatus = Code(raw: .httpStatus)
        /// 429 or 503 with a Retry-After longer than we are willing to wait, or retries ran out.
        public static let rateLimited = Code(raw: .rateLimited)
        /// robots.txt disallows the URL for our User-Agent.
        public static let disallowedByRobots = Code(raw: .disallowedByRobots)
        /// Any other transfer failure (connection reset, bad TLS, bad encoding…).
        public static let network = Code(raw: .network)
        /// The bytes are not a document of the expected kind, or are broken beyond recovery.
        public static let malformedDocument = Code(raw: .malformedDocument)
        /// The content is of a kind no adapter reads.
        public static let unsupportedContent = Code(raw: .unsupportedContent)
        /// A local file could not be read or written (archive folder, input file).
        public static let io = Code(raw: .io)

        public var description: String { raw.rawValue }

        /// Lets callers write `catch FetchError.Code.timedOut`.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? FetchError)?.code == code
        }
    }

    public var code: Code
    /// What happened, naming the URL or file, and what to do.
    public var message: String
    /// The URL or file the error is about.
    public var url: URL?
    /// The HTTP status when the server answered.
    public var status: Int?
    /// The underlying error, e.g. a `CurlError` with the C code name and libcurl's error buffer.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, url: URL? = nil, status: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.url = url
        self.status = status
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }
}

extension FetchError {
    /// Maps a libcurl failure to a fetch error with an actionable message.
    init(curl error: CurlError, exceededMaxSize: Bool, url: URL, configuration: HTTPClient.Configuration) {
        let u = "'\(url.absoluteString)'"
        switch error.code {
        case _ where exceededMaxSize:
            self.init(.responseTooLarge, "The response from \(u) is larger than \(configuration.maxResponseBytes) bytes (after decompression); the transfer was aborted. Raise maxResponseBytes if the source is trusted.", url: url, cause: error)
        case .operationTimedOut:
            self.init(.timedOut, "Timed out fetching \(u) (connect \(configuration.connectTimeout), total \(configuration.totalTimeout)). Retry later or raise the timeout.", url: url, cause: error)
        case .couldNotResolveHost, .couldNotResolveProxy:
            self.init(.couldNotResolveHost, "Could not resolve the host of \(u) (\(error.detail)). Check the URL, the proxy and DNS.", url: url, cause: error)
        case .couldNotConnect:
            self.init(.couldNotConnect, "Could not connect to \(u) (\(error.detail)). Check that the host is up and reachable.", url: url, cause: error)
        case .proxy:
            self.init(.proxy, "The proxy \(configuration.proxy ?? "(from the environment)") failed the request for \(u) (\(error.detail)). Check the proxy URL; with socks5h:// the proxy resolves host names, with socks5:// this machine does.", url: url, cause: error)
        case .tooManyRedirects:
            self.init(.tooManyRedirects, "Too many redirects fetching \(u) (more than \(configuration.maxRedirects)); the server may redirect in a loop.", url: url, cause: error)
        case .unsupportedProtocol, .urlMalformed:
            self.init(.invalidURL, "Cannot fetch \(u): \(error.detail). Only http and https URLs are fetched.", url: url, cause: error)
        default:
            self.init(.network, "Fetching \(u) failed: \(error.code.cName): \(error.detail). Retry later.", url: url, cause: error)
        }
    }

    /// Network errors worth a retry: timeouts, resets, empty replies. Not DNS, not bad URLs, not size caps.
    var isRetryable: Bool {
        guard let curl = cause as? CurlError, code != .responseTooLarge else { return false }
        switch curl.code {
        case .operationTimedOut, .couldNotConnect, .gotNothing, .sendError, .receiveError, .partialFile, .http2Stream, .weirdServerReply:
            return true
        default:
            return false
        }
    }
}
