import Foundation

/// A parsed `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require][&connect_timeout=S]` URL.
///
/// `connect_timeout` (seconds, as in libpq) bounds both the first connection and every later wait
/// for a pooled connection, so a server that goes away turns into an error instead of a hang.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// `connect_timeout` from the URL, when given.
    public var connectTimeout: Duration?

    /// True for `postgres://` and `postgresql://` strings.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws(ReviewQueueError) {
        func invalid(_ why: String) -> ReviewQueueError {
            ReviewQueueError(
                .invalidURL,
                "Invalid PostgreSQL URL '\(Self.redacting(text))': \(why). Use postgres://user@host:port/database (for example postgres://postgres@127.0.0.1:55432/postgres).",
                location: Self.redacting(text))
        }
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else { throw invalid("not a URL") }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user name before '@'") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw invalid("no database name after the port") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        var tls = TLSMode.disable
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                throw invalid("sslmode must be disable, prefer or require")
            }
            tls = mode
        }
        self.tls = tls
        for item in components.queryItems ?? [] where item.name == "connect_timeout" {
            guard let value = item.value, let seconds = Double(value), seconds > 0, seconds <= 3600 else {
                throw invalid("connect_timeout must be a number of seconds between 0 and 3600")
            }
            connectTimeout = .milliseconds(Int64(seconds * 1000))
        }
    }

    /// The URL without its password, for messages and logs (STYLE.md D4).
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)" + (tls == .disable ? "" : "?sslmode=\(tls.rawValue)")
    }

    static func redacting(_ text: String) -> String {
        guard let components = URLComponents(string: text), components.password != nil else { return text }
        var copy = components
        copy.password = nil
        return copy.string ?? "postgres://…"
    }
}
