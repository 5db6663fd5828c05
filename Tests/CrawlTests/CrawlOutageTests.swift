import Foundation
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// PostgreSQL going down in the middle of a crawl. Each test starts its own throwaway server
/// (Scripts/pg-up.sh) so it can take it away and bring it back with Scripts/pg-ctl.sh; they run
/// when the PostgreSQL tests do (SMUGGLEWATCH_TEST_POSTGRES_URL set).
@Suite("crawl while PostgreSQL goes down")
struct CrawlOutageTests {
    @Test("PostgreSQL crashes mid-crawl and stays down: retries, a clear message, exit 1; the next run completes the work")
    func serverStaysDown() async throws {
        guard let server = try OwnPostgres.start() else { return }
        defer { server.remove() }
        let run = try SlowSourceCrawl(database: server.url + "?connect_timeout=1", options: ["--testing-store-retry-delay", "200ms"])
        try run.start()
        try await run.waitUntilSlowSourceIsFetched()
        try server.crash()
        run.answerSlowSource()
        let (status, stderr) = run.wait()
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains("Error: Gave up storing posts of source 'slow' after 4 attempts"), "\(stderr)")
        #expect(stderr.contains("PostgreSQL at \(server.displayURL)"), "\(stderr)")
        #expect(stderr.contains("Posts stored before this point are kept; run the crawl again when the store is back"), "\(stderr)")
        #expect(stderr.contains("(attempt 3 of 4)"), "\(stderr)")

        try server.restart()
        let kept = try await withStore(server.url) { try await $0.stats() }
        #expect(kept.posts == 200, "the first source's posts were stored before the crash")
        let resumed = try CrawlRun.crawl(["--once", "--sources", try run.sourcesAnsweredAtOnce(), "--db", server.url, "--worker", SlowSourceCrawl.worker])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.status(of: "a") == "not due")
        #expect(resumed.count("new", "slow") == 50)
        try await expectConsistent(server.url, posts: 250)
    }

    @Test("PostgreSQL is down for a few seconds: the crawl retries and finishes in the same run")
    func serverComesBack() async throws {
        guard let server = try OwnPostgres.start() else { return }
        defer { server.remove() }
        // A 2 s lease runs out during the outage: the crawl takes the source again to save its state.
        let run = try SlowSourceCrawl(database: server.url + "?connect_timeout=1", options: ["--testing-store-retry-delay", "2s", "--lease", "2s"])
        try run.start()
        try await run.waitUntilSlowSourceIsFetched()
        try server.crash()
        run.answerSlowSource()
        // Once the crawl has found the store gone, bring it back while the crawl waits to retry
        // (after 2, 4 and 8 s).
        try await run.waitForStandardError(containing: "(attempt 1 of 4)")
        try server.restart()
        let (status, stderr) = run.wait()
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("the store failed while storing posts of source 'slow' (attempt 1 of 4)"), "\(stderr)")
        #expect(!stderr.contains("Gave up"), "\(stderr)")
        try await expectConsistent(server.url, posts: 250)
        let states = try await withStore(server.url) { try await $0.crawlStates() }
        #expect(states.count == 2)
        #expect(states.allSatisfy { $0.leaseOwner == nil && $0.consecutiveFailures == 0 && $0.nextDueAt != nil })
    }
}

/// A throwaway PostgreSQL of the test's own (Scripts/pg-up.sh on a free port), to crash and restart.
struct OwnPostgres {
    let url: String
    let folder: String

    /// The URL as the store names it in messages.
    var displayURL: String { url }

    /// Starts one; nil (with a note) when the PostgreSQL tests are off.
    static func start() throws -> OwnPostgres? {
        guard CrawlPostgres.url != nil else { return nil }
        let envFile = try TestSupport.temporaryDirectory() + "/pg.env"
        _ = try script("Scripts/pg-up.sh", ["--env-file", envFile], environment: ["PGPORT": "\(closedLocalPort())", "PG_DURABLE": "1"])
        var url = "", folder = ""
        for line in try String(contentsOfFile: envFile, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("export SMUGGLEWATCH_TEST_POSTGRES_URL=") { url = String(line.dropFirst("export SMUGGLEWATCH_TEST_POSTGRES_URL=".count)) }
            if line.hasPrefix("export PG_TMP=") { folder = String(line.dropFirst("export PG_TMP=".count)) }
        }
        guard !url.isEmpty, !folder.isEmpty else { throw TestFailure("Scripts/pg-up.sh wrote no URL to \(envFile)") }
        return OwnPostgres(url: url, folder: folder)
    }

    func crash() throws { _ = try Self.script("Scripts/pg-ctl.sh", [folder, "crash"]) }
    func restart() throws { _ = try Self.script("Scripts/pg-ctl.sh", [folder, "start"]) }

    func remove() {
        _ = try? Self.script("Scripts/pg-down.sh", [folder])
    }

    private static func script(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let r = try TestSupport.run(TestSupport.path(path), arguments, environment: environment, directory: TestSupport.packageRoot.path)
        guard r.status == 0 else { throw TestFailure("\(path) \(arguments.joined(separator: " ")) failed: \(r.stderr)") }
        return r.stdout
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
