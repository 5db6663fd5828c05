import Foundation
import PostgresNIO
import Posts
import ReviewQueue

/// A fresh, empty store of one backend plus the clean-up that removes it (STYLE.md H6).
struct StoreFactory: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    let name: String
    let make: @Sendable (ManualStoreClock) async throws -> TemporaryStore

    var description: String { name }
    var testDescription: String { name }

    static let sqlite = StoreFactory(name: "sqlite") { clock in try makeTemporarySQLiteStore(clock: clock) }
    static let postgres = StoreFactory(name: "postgres") { clock in try await makeTemporaryPostgresStore(clock: clock) }

    /// SQLite always; PostgreSQL when SMUGGLEWATCH_TEST_POSTGRES_URL is set.
    static var all: [StoreFactory] {
        TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres]
    }
}

import Testing

/// A store plus where it lives (for other processes) and how to delete it.
struct TemporaryStore: Sendable {
    let store: any ReviewQueueStore
    /// The `--db` value another process can open.
    let url: String
    let cleanup: @Sendable () async -> Void

    func close() async {
        await store.close()
        await cleanup()
    }
}

enum TestPostgres {
    static let variable = "SMUGGLEWATCH_TEST_POSTGRES_URL"

    static let url: String? = {
        let value = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        if value == nil {
            print(
                "◇ PostgreSQL store tests skipped: \(variable) is not set. Start a throwaway server with `eval \"$(Scripts/pg-up.sh)\"` to run them."
            )
        }
        return value
    }()
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("smugglewatch-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func makeTemporarySQLiteStore(
    clock: ManualStoreClock = ManualStoreClock(), configuration: SQLiteReviewQueueStore.Configuration = .init()
) throws -> TemporaryStore {
    let folder = try temporaryDirectory()
    let path = folder.appendingPathComponent("store.sqlite").path
    let store = try SQLiteReviewQueueStore(path: path, clock: clock, configuration: configuration)
    return TemporaryStore(store: store, url: path) { try? FileManager.default.removeItem(at: folder) }
}

/// Creates a new database on the test server for one test and drops it afterwards.
func makeTemporaryPostgresStore(clock: ManualStoreClock = ManualStoreClock()) async throws -> TemporaryStore {
    guard let base = TestPostgres.url else { throw CancellationError() }
    let name = "sw_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    try await adminQuery(base, "CREATE DATABASE \(name)")
    var components = URLComponents(string: base)!
    components.path = "/" + name
    let url = components.string!
    // A generous deadline: the whole suite opens dozens of stores at once on two shared cores.
    let store = try await PostgresReviewQueueStore.open(url: url, clock: clock, connectTimeout: .seconds(30))
    return TemporaryStore(store: store, url: url) {
        try? await adminQuery(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// Runs one statement on the maintenance database of the test server.
func adminQuery(_ base: String, _ sql: String) async throws {
    let url = try PostgresURL(base)
    let config = PostgresClient.Configuration(
        host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: .disable)
    let client = PostgresClient(configuration: config)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        try await client.query(PostgresQuery(unsafeSQL: sql))
    }
}

/// A post with the given id and some text.
func samplePost(_ id: String, title: String = "A sample post", description: String? = nil) -> Post {
    Post(id: id, platform: "test", url: "https://example.test/\(id)", title: title, description: description)
}
