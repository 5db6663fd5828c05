import Foundation
import Posts
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// `smugglewatch crawl` end to end: the built executable, real libcurl against the local test
/// server, real SQLite files.
@Suite("smugglewatch crawl", .serialized)
struct CrawlCommandTests {
    @Test("the demo sources crawl offline; a second run finds every source unchanged")
    func demoSources() async throws {
        let db = try TestSupport.temporaryDirectory() + "/q.sqlite"
        let demo = TestSupport.path("Fixtures/demo/sources.toml")
        let first = try CrawlRun.crawl(["--once", "--sources", demo, "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        let sources = first.stats.keys.filter { $0 != "total" }
        #expect(sources.count >= 6)
        for s in sources { #expect(first.status(of: s) == "ok", "\(s): \(first.stats[s] ?? [:])") }
        #expect(first.count("fetched") >= 30)
        #expect(first.count("new") >= 30)
        #expect(first.count("flagged") > 0)
        #expect(first.count("queued") > 0)
        let (posts, predictions, seen) = try await withStore(db) { store in
            let s = try await store.stats()
            return (s.posts, s.predictions, s.seenIDs)
        }
        #expect(posts == first.count("new"))
        #expect(seen == posts, "every crawled id is archived")
        #expect(predictions == first.count("new") + first.count("changed"))

        let second = try CrawlRun.crawl(["--once", "--all", "--sources", demo, "--db", db])
        #expect(second.status == 0, "\(second.stderr)")
        for s in sources { #expect(second.status(of: s) == "304", "\(s)") }
        #expect(second.count("notModified") == sources.count)
        #expect(second.count("new") == 0)
        #expect(second.count("queued") == 0)

        // Not due yet: nothing runs, and that is not a failure.
        let third = try CrawlRun.crawl(["--once", "--sources", demo, "--db", db])
        #expect(third.status == 0)
        for s in sources { #expect(third.status(of: s) == "not due") }
        let after = try await withStore(db) { try await $0.stats().predictions }
        #expect(after == predictions)

        // The table form, for people.
        let table = try TestSupport.smugglewatch(["crawl", "--once", "--all", "--sources", demo, "--db", db])
        #expect(table.status == 0)
        #expect(table.stdout.contains("source"))
        #expect(table.stdout.contains("demo:posts"))
        #expect(table.stdout.contains("fetched"))
    }

    @Test("over HTTP: conditional GET gives 304s, an unreachable source backs off exponentially, the others go on")
    func httpSourcesAndBackoff() async throws {
        let server = try TestHTTPServer()
        let dir = try TestSupport.temporaryDirectory()
        let db = dir + "/q.sqlite"
        let dead = closedLocalPort()
        let sources = try CrawlRun.sources(
            """
            [defaults]
            rate_limit = "0"
            every = "30m"

            [[source]]
            name = "rss"
            kind = "feed"
            url = "\(server.url("/feeds/rss2.xml"))"

            [[source]]
            name = "telegram"
            kind = "telegram"
            url = "\(server.url("/telegram/s/route_demo"))"
            pages = 2

            [[source]]
            name = "jsonl"
            kind = "jsonl"
            url = "\(server.url("/api/posts.jsonl"))"
            tags = ["watch:api"]

            [[source]]
            name = "dead"
            kind = "feed"
            url = "http://127.0.0.1:\(dead)/feed.xml"
            """, in: dir)
        let first = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.status(of: "rss") == "ok")
        #expect(first.status(of: "telegram") == "ok")
        #expect(first.status(of: "jsonl") == "ok")
        #expect(first.status(of: "dead") == "failed")
        #expect(first.count("fetched", "jsonl") == 2)
        #expect(first.count("fetched", "telegram") > 3)  // two pages
        #expect(first.stderr.contains("Error: source 'dead' failed"))
        #expect(first.stderr.contains("127.0.0.1:\(dead)"))
        let hits = try server.hits()
        #expect(hits["/telegram/s/route_demo"] == 2)  // the first page and the older one (?before=)

        let (state1, tagged) = try await withStore(db) { store in
            (try await store.crawlStates().first { $0.source == "dead" }, try await store.post(id: "web:demo-1")?.post.tags)
        }
        let dead1 = try #require(state1)
        #expect(dead1.consecutiveFailures == 1)
        #expect(dead1.lastError?.contains("127.0.0.1:\(dead)") == true)
        #expect(dead1.leaseOwner == nil)
        let delay1 = try #require(dead1.nextDueAt).timeIntervalSince(try #require(dead1.lastRunAt))
        #expect(abs(delay1 - 1800) < 5)
        #expect(tagged?.contains("watch:api") == true)

        let second = try CrawlRun.crawl(["--once", "--all", "--sources", sources, "--db", db])
        #expect(second.status == 0)
        #expect(second.status(of: "rss") == "304")
        #expect(second.status(of: "jsonl") == "304")
        #expect(second.count("notModified") == 3)
        #expect(second.count("new") == 0)
        let dead2 = try #require(try await withStore(db) { try await $0.crawlStates().first { $0.source == "dead" } })
        #expect(dead2.consecutiveFailures == 2)
        let delay2 = try #require(dead2.nextDueAt).timeIntervalSince(try #require(dead2.lastRunAt))
        #expect(abs(delay2 - 3600) < 5)  // pushed out: every × 2

        // Only the dead source run: every source tried failed → exit status 1.
        let onlyDead = try CrawlRun.sources(
            "[[source]]\nname = \"dead\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:\(dead)/feed.xml\"\n", in: try TestSupport.temporaryDirectory())
        let failing = try CrawlRun.crawl(["--once", "--sources", onlyDead, "--db", try TestSupport.temporaryDirectory() + "/d.sqlite"])
        #expect(failing.status == 1)
        #expect(failing.status(of: "dead") == "failed")
    }

    @Test("a malformed sources file is a usage error naming the file, line and key")
    func malformedSourcesFile() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = try CrawlRun.sources("[[source]]\nkind = \"feed\"\nurl = \"https://a.example.invalid/\"\nevery = 30\n", in: dir)
        let r = try TestSupport.smugglewatch(["crawl", "--once", "--sources", path, "--db", dir + "/q.sqlite"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):4: key 'every': expected a duration"))
        let missing = try TestSupport.smugglewatch(["crawl", "--once", "--sources", dir + "/nope.toml", "--db", dir + "/q.sqlite"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.toml"))
        let neither = try TestSupport.smugglewatch(["crawl", "--sources", path])
        #expect(neither.status == 2)
    }

    @Test("a bad JSONL line, a broken info.json, bad captions and a broken feed are reported; the crawl goes on")
    func malformedDocuments() async throws {
        let dir = try TestSupport.temporaryDirectory()
        var lines = try CrawlRun.generatedPosts(5).split(separator: "\n").map(String.init)
        lines.insert("{\"id\": \"bad:1\", \"title\": ", at: 2)
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/posts.jsonl", atomically: true, encoding: .utf8)
        let folder = dir + "/ytdlp"
        try FileManager.default.copyItem(atPath: TestSupport.path("Fixtures/http/ytdlp/demo_channel"), toPath: folder)
        try "{not json".write(toFile: folder + "/Broken [vid_bad01].info.json", atomically: true, encoding: .utf8)
        // A caption file with broken XML beside a good info.json.
        let info = try String(contentsOfFile: folder + "/Cómo pasar [vid_demo01].info.json", encoding: .utf8)
            .replacingOccurrences(of: "vid_demo01", with: "vid_demo02")
        try info.write(toFile: folder + "/Otro [vid_demo02].info.json", atomically: true, encoding: .utf8)
        try "<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><div><p begin=\"00:00:01.000\" end=".write(toFile: folder + "/Otro [vid_demo02].es.ttml", atomically: true, encoding: .utf8)
        try "this is not a feed at all".write(toFile: dir + "/broken.xml", atomically: true, encoding: .utf8)
        let sources = try CrawlRun.sources(
            """
            [[source]]
            name = "posts"
            kind = "jsonl"
            path = "posts.jsonl"

            [[source]]
            name = "videos"
            kind = "ytdlp"
            url = "file://ytdlp"

            [[source]]
            name = "broken-feed"
            kind = "feed"
            path = "broken.xml"
            """, in: dir)
        let r = try CrawlRun.crawl(["--once", "--sources", sources, "--db", dir + "/q.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.status(of: "posts") == "ok")
        #expect(r.count("fetched", "posts") == 5)
        #expect(r.count("failed", "posts") == 1)
        #expect(r.stderr.contains("line 3 of"))
        #expect(r.status(of: "videos") == "ok")
        #expect(r.count("fetched", "videos") == 2)
        #expect(r.count("failed", "videos") >= 1)
        #expect(r.stderr.contains("Broken [vid_bad01].info.json"))
        #expect(r.stderr.contains("Otro [vid_demo02].es.ttml"))
        #expect(r.status(of: "broken-feed") == "failed")
        #expect(r.stderr.contains("broken.xml"))
    }

    @Test("a labelled post is queued again only when its content changed")
    func labelledPostsAreNotRequeued() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let db = dir + "/q.sqlite"
        let demo = try String(contentsOfFile: TestSupport.path("Fixtures/demo/posts.jsonl"), encoding: .utf8)
        let offer = try #require(demo.split(separator: "\n").first { $0.contains("\"demo:es-0081\"") })
        try (String(offer) + "\n").write(toFile: dir + "/posts.jsonl", atomically: true, encoding: .utf8)
        let sources = try CrawlRun.sources("[[source]]\nname = \"p\"\nkind = \"jsonl\"\npath = \"posts.jsonl\"\n", in: dir)
        let first = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db])
        #expect(first.count("queued") == 1, "\(first.stdout)\(first.stderr)")
        let label = try TestSupport.smugglewatch(["label", "demo:es-0081", "--set", "contact", "--reviewer", "t", "--db", db])
        #expect(label.status == 0, "\(label.stderr)")

        // Same content, file rewritten (new mtime): read again, unchanged, not queued.
        try (String(offer) + "\n").write(toFile: dir + "/posts.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: dir + "/posts.jsonl")
        let same = try CrawlRun.crawl(["--once", "--all", "--sources", sources, "--db", db])
        #expect(same.status(of: "p") == "ok")
        #expect(same.count("unchanged") == 1)
        #expect(same.count("queued") == 0)
        #expect(try await withStore(db) { try await openItemPostIDs($0) }.isEmpty)

        // Changed content: classified again and queued again.
        let changed = String(offer).replacingOccurrences(of: "\"description\":\"", with: "\"description\":\"(edited) ")
        #expect(changed != String(offer))
        try (changed + "\n").write(toFile: dir + "/posts.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: dir + "/posts.jsonl")
        let edited = try CrawlRun.crawl(["--once", "--all", "--sources", sources, "--db", db])
        #expect(edited.count("changed") == 1)
        #expect(edited.count("queued") == 1)
        let (open, predictions) = try await withStore(db) { store in
            (try await openItemPostIDs(store), try await store.predictions(for: "demo:es-0081").count)
        }
        #expect(open == ["demo:es-0081"])
        #expect(predictions == 2)
    }

    @Test("killed with SIGKILL after some posts, the next run completes the work: nothing lost or duplicated")
    func resumesAfterSIGKILL() async throws {
        let root = try TestSupport.temporaryDirectory()
        try CrawlRun.generatedPosts(400).write(toFile: root + "/big.jsonl", atomically: true, encoding: .utf8)
        try CrawlRun.generatedPosts(30, prefix: "small").write(toFile: root + "/small.jsonl", atomically: true, encoding: .utf8)
        let server = try TestHTTPServer(root: root)
        let db = root + "/q.sqlite"
        let sources = try CrawlRun.jsonlSources([("big", server.url("/big.jsonl")), ("small", server.url("/small.jsonl"))], in: root)
        let killed = try CrawlRun.crawl([
            "--once", "--sources", sources, "--db", db, "--worker", "w1", "--batch-size", "40", "--testing-kill-after-posts", "120",
        ])
        #expect(killed.status == 9, "\(killed.stderr)")  // SIGKILL
        #expect(killed.stdout.isEmpty)
        let midway = try await withStore(db) { try await $0.stats() }
        #expect(midway.posts == 120)
        #expect(midway.predictions == 120)

        let resumed = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db, "--worker", "w1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.count("new", "big") == 280)
        #expect(resumed.count("unchanged", "big") == 120)
        #expect(resumed.count("new", "small") == 30)
        try await expectConsistent(db, posts: 430)
        let seenBy = try await withStore(db) { store in
            (try await store.seenSource(of: "gen:000000"), try await store.seenSource(of: "gen:000399"), try await store.seenSource(of: "small:000029"))
        }
        #expect(seenBy.0 == "big" && seenBy.1 == "big" && seenBy.2 == "small", "\(seenBy)")

        // Again, all unchanged (304): nothing duplicated.
        let again = try CrawlRun.crawl(["--once", "--all", "--sources", sources, "--db", db, "--worker", "w1"])
        #expect(again.count("notModified") == 2)
        try await expectConsistent(db, posts: 430)
    }

    @Test("killed with SIGKILL from outside while a slow source is fetched, the next run completes the work")
    func resumesAfterExternalSIGKILL() async throws {
        let db = try TestSupport.temporaryDirectory() + "/q.sqlite"
        let run = try SlowSourceCrawl(database: db)
        try run.start()
        // The first source is stored by the time the slow one is asked for.
        try await run.waitUntilSlowSourceIsFetched()
        run.kill()
        _ = run.wait()
        #expect(run.process.terminationReason == .uncaughtSignal)
        let midway = try await withStore(db) { try await $0.stats() }
        #expect(midway.posts == 200)

        let resumed = try CrawlRun.crawl(["--once", "--sources", try run.sourcesAnsweredAtOnce(), "--db", db, "--worker", SlowSourceCrawl.worker])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.status(of: "a") == "not due")
        #expect(resumed.count("new", "slow") == 50)
        try await expectConsistent(db, posts: 250)
    }

    @Test("a source leased by another (dead) worker is skipped until its lease expires, then taken over")
    func expiredLeaseIsTakenOver() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let db = dir + "/q.sqlite"
        try CrawlRun.generatedPosts(10).write(toFile: dir + "/p.jsonl", atomically: true, encoding: .utf8)
        let sources = try CrawlRun.sources("[[source]]\nname = \"p\"\nkind = \"jsonl\"\npath = \"p.jsonl\"\n", in: dir)
        let held = try await withStore(db) { try await $0.acquireSource("p", owner: "dead-worker", lease: .seconds(3)) }
        #expect(held != nil)
        let blocked = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db])
        #expect(blocked.status == 0)
        #expect(blocked.status(of: "p") == "leased")
        #expect(blocked.count("fetched") == 0)
        try await Task.sleep(for: .seconds(3.2))
        let taken = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db])
        #expect(taken.status(of: "p") == "ok")
        #expect(taken.count("new") == 10)
    }

    @Test("--every keeps running rounds on its own schedule")
    func everyRunsRounds() async throws {
        let dir = try TestSupport.temporaryDirectory()
        try CrawlRun.generatedPosts(5).write(toFile: dir + "/p.jsonl", atomically: true, encoding: .utf8)
        let sources = try CrawlRun.sources("[[source]]\nname = \"p\"\nkind = \"jsonl\"\npath = \"p.jsonl\"\nevery = \"1s\"\n", in: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = ["crawl", "--every", "1s", "--sources", sources, "--db", dir + "/q.sqlite"]
        process.currentDirectoryURL = TestSupport.packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await Task.sleep(for: .seconds(4))
        process.terminate()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let rounds = text.components(separatedBy: "== crawl round at").count - 1
        #expect(rounds >= 2, "\(text)")
        #expect(text.contains("p       ok"))
        #expect(text.contains("304"))
    }

    @Test("an unreachable PostgreSQL store: a clear message and exit status 1")
    func unreachablePostgres() throws {
        let port = closedLocalPort()
        let r = try TestSupport.smugglewatch([
            "crawl", "--once", "--sources", TestSupport.path("Fixtures/demo/sources.toml"), "--db", "postgres://postgres@127.0.0.1:\(port)/none",
            "--testing-store-retry-delay", "100ms",
        ])
        #expect(r.status == 1)
        #expect(r.stderr.contains("Error: Gave up opening the store after 4 attempts: Could not talk to PostgreSQL at postgres://postgres@127.0.0.1:\(port)/none"))
        #expect(r.stderr.contains("retrying in"))
    }
}

/// Every stored post has exactly one prediction (none lost, none duplicated), and no post has
/// more than one open queue item.
func expectConsistent(_ db: String, posts: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    try await withStore(db) { store in
        let stats = try await store.stats()
        #expect(stats.posts == posts, sourceLocation: sourceLocation)
        #expect(stats.predictions == posts, sourceLocation: sourceLocation)
        // Archived in the same transaction as the post: no post without its seen id, and no more.
        #expect(stats.seenIDs == posts, sourceLocation: sourceLocation)
        let open = try await openItemPostIDs(store)
        #expect(Set(open).count == open.count, sourceLocation: sourceLocation)
        #expect(open.count == stats.pending + stats.claimed + stats.expired, sourceLocation: sourceLocation)
        // Every flagged or unsure post is queued (the clear sample is 0 in these tests).
        let sample = try await store.items(in: nil, limit: 100_000)
        #expect(sample.count == open.count, sourceLocation: sourceLocation)
    }
}
