import Foundation
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// Several crawl workers sharing one PostgreSQL store (skipped without SMUGGLEWATCH_TEST_POSTGRES_URL).
@Suite("crawl workers on PostgreSQL", .serialized)
struct CrawlPostgresTests {
    @Test("two concurrent workers never fetch the same source in one round, and together store everything once")
    func twoWorkersShareTheSources() async throws {
        guard let db = try await CrawlPostgres.makeDatabase() else { return }
        let root = try TestSupport.temporaryDirectory()
        let server = try TestHTTPServer(root: root)
        for k in 0..<8 {
            try CrawlRun.generatedPosts(25, prefix: "s\(k)").write(toFile: root + "/s\(k).jsonl", atomically: true, encoding: .utf8)
        }
        let sources = try CrawlRun.jsonlSources((0..<8).map { ("s\($0)", server.url("/s\($0).jsonl?delay=300")) }, in: root)
        // Two processes started together, on their own threads (not the test's cooperative pool).
        nonisolated(unsafe) var results: [CrawlRun.Result?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            results[k] = try? CrawlRun.crawl(["--once", "--sources", sources, "--db", db, "--worker", k == 0 ? "A" : "B"])
        }
        let ra = try #require(results[0])
        let rb = try #require(results[1])
        #expect(ra.status == 0, "\(ra.stderr)")
        #expect(rb.status == 0, "\(rb.stderr)")
        let hits = try server.hits()
        var byA = 0
        for k in 0..<8 {
            #expect(hits["/s\(k).jsonl"] == 1, "s\(k) fetched \(hits["/s\(k).jsonl"] ?? 0) times")
            let statuses = [ra.status(of: "s\(k)"), rb.status(of: "s\(k)")]
            #expect(statuses.filter { $0 == "ok" }.count == 1, "s\(k): \(statuses)")
            if ra.status(of: "s\(k)") == "ok" { byA += 1 }
        }
        print("worker A crawled \(byA) of 8 sources, worker B \(8 - byA)")
        #expect(byA > 0 && byA < 8, "the two workers should have shared the sources")
        #expect(ra.count("new") + rb.count("new") == 200)
        try await withStore(db) { store in
            let stats = try await store.stats()
            #expect(stats.posts == 200)
            #expect(stats.predictions == 200)
            let open = try await openItemPostIDs(store)
            #expect(Set(open).count == open.count)
            #expect(try await store.crawlStates().allSatisfy { $0.leaseOwner == nil && $0.consecutiveFailures == 0 })
        }
    }

    @Test("a dead worker's lease expires and another worker takes the source over")
    func expiredLeaseOnPostgres() async throws {
        guard let db = try await CrawlPostgres.makeDatabase() else { return }
        let dir = try TestSupport.temporaryDirectory()
        try CrawlRun.generatedPosts(10).write(toFile: dir + "/p.jsonl", atomically: true, encoding: .utf8)
        let sources = try CrawlRun.sources("[[source]]\nname = \"p\"\nkind = \"jsonl\"\npath = \"p.jsonl\"\n", in: dir)
        let held = try await withStore(db) { try await $0.acquireSource("p", owner: "dead-worker", lease: .seconds(3)) }
        #expect(held != nil)
        let blocked = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db, "--worker", "live"])
        #expect(blocked.status(of: "p") == "leased")
        try await Task.sleep(for: .seconds(3.2))
        let taken = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db, "--worker", "live"])
        #expect(taken.status(of: "p") == "ok")
        #expect(taken.count("new") == 10)
        let state = try #require(try await withStore(db) { try await $0.crawlStates().first })
        #expect(state.leaseOwner == nil)
        #expect(state.nextDueAt != nil)
    }
}

