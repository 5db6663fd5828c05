public import Foundation

/// Opens the right ``ReviewQueueStore`` for a `--db` value.
public enum ReviewQueueStores {
    /// The environment variable that names the database when `--db` is not given.
    public static let environmentVariable = "SMUGGLEWATCH_DB"
    /// The embedded default, relative to the working directory.
    public static let defaultPath = ".smugglewatch/smugglewatch.sqlite"

    /// `--db` if given, else `SMUGGLEWATCH_DB`, else ``defaultPath``.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let value = environment[environmentVariable], !value.isEmpty { return value }
        return defaultPath
    }

    /// Opens a PostgreSQL store for `postgres://` / `postgresql://` URLs and a SQLite store for
    /// anything else (a path; `sqlite://` and `file://` prefixes are accepted).
    public static func open(url: String, clock: any StoreClock = SystemStoreClock()) async throws -> any ReviewQueueStore {
        if PostgresURL.isPostgresURL(url) {
            return try await PostgresReviewQueueStore.open(url: url, clock: clock)
        }
        if url.contains("://"), !url.hasPrefix("sqlite://"), !url.hasPrefix("file://") {
            throw ReviewQueueError(
                .invalidURL,
                "Unsupported database '\(PostgresURL.redacting(url))': use a SQLite file path or a postgres://user@host:port/db URL.",
                location: url)
        }
        var path = url
        for prefix in ["sqlite://", "file://"] where path.hasPrefix(prefix) { path.removeFirst(prefix.count) }
        guard !path.isEmpty else {
            throw ReviewQueueError(.invalidURL, "The database path is empty. Pass --db PATH or set \(environmentVariable).")
        }
        return try SQLiteReviewQueueStore(path: path, clock: clock)
    }

    /// Opens the store named by `--db` / `SMUGGLEWATCH_DB` / the default path.
    public static func open(_ explicit: String?, clock: any StoreClock = SystemStoreClock()) async throws -> any ReviewQueueStore {
        try await open(url: resolve(explicit), clock: clock)
    }
}
