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
        let run = try OutageCrawl(database: server.url)
        try run.start()
        try await run.waitUntilSlowSourceIsFetched()
        try server.crash()
        let (status, stderr) = run.wait()
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains("Error: Gave up storing posts of source 'slow' after 4 attempts"), "\(stderr)")
        #expect(stderr.contains("PostgreSQL at \(server.displayURL)"), "\(stderr)")
        #expect(stderr.contains("Posts stored before this point are kept; run the crawl again when the store is back"), "\(stderr)")
        #expect(stderr.contains("(attempt 3 of 4)"), "\(stderr)")

        try server.restart()
        let kept = try await withStore(server.url) { try await $0.stats() }
        #expect(kept.posts == 200, "the first source's posts were stored before the crash")
        let resumed = try CrawlRun.crawl(["--once", "--sources", try run.sourcesWithoutDelay(), "--db", server.url, "--worker", OutageCrawl.worker])
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
        let run = try OutageCrawl(database: server.url, retryDelay: "2s", lease: "2s")
        try run.start()
        try await run.waitUntilSlowSourceIsFetched()
        try server.crash()
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

/// A crawl process over two sources from a local HTTP server: `a` (200 posts, fast) and `slow`
/// (50 posts, answered after a delay), so the test can take the store away while `slow` loads.
final class OutageCrawl: @unchecked Sendable {
    static let worker = "outage-worker"
    /// Milliseconds: long enough that the store is surely gone when `slow` arrives, on a loaded machine.
    static let slowDelay = 6000
    let root: String
    let http: TestHTTPServer
    let sources: String
    let process = Process()
    let stderrPath: String
    let arguments: [String]

    init(database: String, retryDelay: String = "200ms", lease: String = "10m") throws {
        root = try TestSupport.temporaryDirectory()
        try CrawlRun.generatedPosts(200).write(toFile: root + "/a.jsonl", atomically: true, encoding: .utf8)
        try CrawlRun.generatedPosts(50, prefix: "slow").write(toFile: root + "/b.jsonl", atomically: true, encoding: .utf8)
        http = try TestHTTPServer(root: root)
        sources = try CrawlRun.sources(
            """
            [defaults]
            rate_limit = "0"
            [[source]]
            name = "a"
            kind = "jsonl"
            url = "\(http.url("/a.jsonl"))"
            [[source]]
            name = "slow"
            kind = "jsonl"
            url = "\(http.url("/b.jsonl?delay=\(OutageCrawl.slowDelay)"))"
            """, in: root)
        stderrPath = root + "/crawl.stderr"
        // connect_timeout=1: a wait for a connection to the stopped server fails after 1 s.
        arguments = [
            "crawl", "--once", "--json", "--clear-sample", "0", "--sources", sources, "--db", database + "?connect_timeout=1",
            "--worker", Self.worker, "--testing-store-retry-delay", retryDelay, "--lease", lease,
        ]
    }

    func start() throws {
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = arguments
        process.currentDirectoryURL = TestSupport.packageRoot
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    /// Returns once the slow source has been asked for (the first source is stored by then).
    func waitUntilSlowSourceIsFetched() async throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let hits = try? http.hits(), hits["/b.jsonl"] != nil { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        Issue.record("the crawl never asked for the slow source")
    }

    /// Returns once the crawl has written `text` to standard error.
    func waitForStandardError(containing text: String) async throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let written = try? String(contentsOfFile: stderrPath, encoding: .utf8), written.contains(text) { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the crawl never wrote '\(text)' to standard error")
    }

    func wait() -> (Int32, String) {
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    func sourcesWithoutDelay() throws -> String {
        try CrawlRun.sources(try String(contentsOfFile: sources, encoding: .utf8).replacingOccurrences(of: "?delay=\(OutageCrawl.slowDelay)", with: ""), in: root)
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
