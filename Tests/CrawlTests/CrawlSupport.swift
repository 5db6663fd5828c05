import Foundation
import PostgresNIO
import Posts
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// Runs `smugglewatch crawl …` and parses `--json` stats.
enum CrawlRun {
    struct Result: @unchecked Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Source name → its JSON stats line; "total" for the total.
        var stats: [String: [String: Any]]

        func status(of source: String) -> String? { stats[source]?["status"] as? String }
        func count(_ key: String, _ source: String = "total") -> Int { stats[source]?[key] as? Int ?? -1 }
    }

    static func crawl(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let r = try TestSupport.run(
            TestSupport.executable, ["crawl", "--json", "--clear-sample", "0"] + arguments, environment: environment,
            directory: TestSupport.packageRoot.path)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr, stats: parse(r.stdout))
    }

    static func parse(_ text: String) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let name = object["source"] as? String
            else { continue }
            out[name] = object
        }
        return out
    }

    /// Writes a sources file into `folder` and returns its path.
    static func sources(_ text: String, in folder: String) throws -> String {
        let path = folder + "/sources.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A sources file of post-JSONL sources over http, without rate limits.
    static func jsonlSources(_ sources: [(name: String, url: URL)], in folder: String) throws -> String {
        var text = "[defaults]\nrate_limit = \"0\"\n"
        for source in sources { text += "[[source]]\nname = \"\(source.name)\"\nkind = \"jsonl\"\nurl = \"\(source.url)\"\n" }
        return try self.sources(text, in: folder)
    }

    /// `count` generated posts as JSONL, their text cycled from the demo posts (LABELING.md-safe).
    static func generatedPosts(_ count: Int, prefix: String = "gen") throws -> String {
        let demo = try String(contentsOfFile: TestSupport.path("Fixtures/demo/posts.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try Post(jsonLine: String($0)) }
        var out = ""
        for k in 0..<count {
            var p = demo[k % demo.count]
            p.id = "\(prefix):\(String(format: "%06d", k))"
            p.description = (p.description ?? "") + " (#\(k))"
            out += p.jsonLine + "\n"
        }
        return out
    }
}

/// A crawl process over two sources from a local HTTP server: `a` (200 posts) and `slow` (50
/// posts), whose answer the server holds until the test calls ``answerSlowSource()``, so the test
/// can kill the crawl or take the store away while `slow` loads, on however loaded a machine.
final class SlowSourceCrawl: @unchecked Sendable {
    static let worker = "slow-source-worker"
    let root: String
    let http: TestHTTPServer
    let sources: String
    let process = Process()
    let stderrPath: String
    let gate: String
    let arguments: [String]

    /// `options`: more `crawl` options.
    init(database: String, options: [String] = []) throws {
        root = try TestSupport.temporaryDirectory()
        gate = root + "/answer-slow-source"
        try CrawlRun.generatedPosts(200).write(toFile: root + "/a.jsonl", atomically: true, encoding: .utf8)
        try CrawlRun.generatedPosts(50, prefix: "slow").write(toFile: root + "/b.jsonl", atomically: true, encoding: .utf8)
        http = try TestHTTPServer(root: root)
        sources = try CrawlRun.jsonlSources([("a", http.url("/a.jsonl")), ("slow", http.url("/b.jsonl?gate=\(gate)"))], in: root)
        stderrPath = root + "/crawl.stderr"
        arguments = ["crawl", "--once", "--json", "--clear-sample", "0", "--sources", sources, "--db", database, "--worker", Self.worker] + options
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

    /// Lets the server answer the slow source.
    func answerSlowSource() {
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
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

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
    }

    func wait() -> (Int32, String) {
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    /// The sources file with `slow` answered at once.
    func sourcesAnsweredAtOnce() throws -> String {
        answerSlowSource()
        return sources
    }
}

/// The PostgreSQL test server, if `SMUGGLEWATCH_TEST_POSTGRES_URL` is set.
enum CrawlPostgres {
    static let url: String? = {
        let value = ProcessInfo.processInfo.environment["SMUGGLEWATCH_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if value == nil {
            print("◇ Crawl PostgreSQL tests skipped: SMUGGLEWATCH_TEST_POSTGRES_URL is not set. Start one with `eval \"$(Scripts/pg-up.sh)\"`.")
        }
        return value
    }()

    /// A fresh database on the test server; returns its URL.
    static func makeDatabase() async throws -> String? {
        guard let base = url else { return nil }
        let name = "sw_crawl_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin(base, "CREATE DATABASE \(name)")
        var components = URLComponents(string: base)!
        components.path = "/" + name
        return components.string!
    }

    static func admin(_ base: String, _ sql: String) async throws {
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
}

/// Opens a store, runs `body`, closes it.
func withStore<T>(_ url: String, _ body: (any ReviewQueueStore) async throws -> T) async throws -> T {
    let store = try await ReviewQueueStores.open(url: url)
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// Every open (pending or claimed) queue item's post id, with repeats.
func openItemPostIDs(_ store: any ReviewQueueStore) async throws -> [String] {
    var ids: [String] = []
    for state in ["pending", "claimed"] { ids += try await store.items(in: state, limit: 100_000).map(\.postID) }
    return ids
}
