public import Foundation

/// One GET request: a URL plus what the client already knows about it (for conditional GET).
public struct HTTPRequest: Sendable, Hashable {
    public var url: URL
    /// The ETag of the copy we have; sent as `If-None-Match`.
    public var etag: String?
    /// The Last-Modified of the copy we have; sent as `If-Modified-Since`.
    public var lastModified: String?
    /// Extra request headers (e.g. `Accept`). Not shown in error messages.
    public var headers: [String: String]
    /// A body to POST (a research API query); nil for GET.
    public var body: [UInt8]?

    public init(url: URL, etag: String? = nil, lastModified: String? = nil, headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.headers = headers
        self.body = body
    }

    public var method: String { body == nil ? "GET" : "POST" }
}

/// What a fetch keeps as evidence: where the bytes came from, when, and their hash.
public struct FetchEvidence: Sendable, Hashable, Codable {
    /// The URL after redirects.
    public var finalURL: URL
    public var status: Int
    /// When the transfer started.
    public var fetched: Date
    /// Lowercase hex SHA-256 of the body bytes as received (after content decoding: gzip, br).
    public var sha256: String
    public var byteCount: Int
    /// Where the body was archived, when an archive folder is configured.
    public var archivePath: String?

    /// `fetched` as ISO 8601 in UTC, the form `Post.fetched` uses.
    public var fetchedISO8601: String { FetchEvidence.iso8601(fetched) }

    static func iso8601(_ date: Date) -> String {
        date.ISO8601Format()  // UTC, whole seconds: 2026-11-29T12:00:00Z
    }
}

/// A response: status, headers, body and evidence. 304 responses have an empty body and `isNotModified`.
public struct HTTPResponse: Sendable {
    public var request: HTTPRequest
    public var status: Int
    /// Headers of the final response, in the order sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var evidence: FetchEvidence
    /// How many attempts it took (1 when the first succeeded).
    public var attempts: Int

    public var finalURL: URL { evidence.finalURL }
    public var isNotModified: Bool { status == 304 }

    /// The first header with this name, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The media type without parameters, lowercased (`application/rss+xml`).
    public var mediaType: String? {
        header("Content-Type").map { $0.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// The `charset` parameter of Content-Type, lowercased.
    public var charset: String? {
        guard let ct = header("Content-Type") else { return nil }
        for part in ct.split(separator: ";").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" {
                return kv[1].trimmingCharacters(in: CharacterSet(charactersIn: " \"'")).lowercased()
            }
        }
        return nil
    }
}
