import Foundation
import Posts
import ReviewQueue
import Testing

/// The contract every ReviewQueueStore backend must meet; each test runs once per backend.
@Suite("ReviewQueueStore contract")
struct ReviewQueueStoreContractTests {
    @Test("posts: insert, unchanged re-fetch, changed content", arguments: StoreFactory.all)
    func upsertPosts(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        let post = samplePost("test:1", title: "Crossing guide")
        let fetched = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try await store.upsertPost(post, rawSHA256: "aa", fetchedAt: fetched, sourceURL: "https://src.test/feed", actor: "crawl") == .inserted)
        var refetched = post
        refetched.fetched = "2026-11-29T12:00:00Z"
        #expect(try await store.upsertPost(refetched, rawSHA256: "bb", fetchedAt: fetched.addingTimeInterval(60), sourceURL: nil, actor: "crawl") == .unchanged)
        var stored = try #require(try await store.post(id: "test:1"))
        #expect(stored.version == 1)
        #expect(stored.rawSHA256 == "bb")
        #expect(stored.sourceURL == "https://src.test/feed")
        #expect(stored.fetchedAt == fetched.addingTimeInterval(60))
        #expect(stored.contentHash == post.contentHash)

        var changed = post
        changed.description = "now with a phone number 555-555-0142"
        clock.advance(by: .seconds(5))
        #expect(try await store.upsertPost(changed, rawSHA256: "cc", fetchedAt: nil, sourceURL: nil, actor: "crawl") == .changed)
        stored = try #require(try await store.post(id: "test:1"))
        #expect(stored.version == 2)
        #expect(stored.post.description == changed.description)
        #expect(stored.updatedAt > stored.firstSeenAt)
        #expect(try await store.post(id: "test:missing") == nil)
        let actions = try await store.auditLog(postID: "test:1", limit: 10).map(\.action)
        #expect(actions == ["post.change", "post.insert"])
    }

    @Test("claims go out by priority, once, and come back when the lease expires", arguments: StoreFactory.all)
    func claimsAndLeases(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        for (id, priority) in [("test:low", 0.2), ("test:high", 2.9), ("test:mid", 1.5)] {
            try await store.upsertPost(samplePost(id))
            try #require(try await store.enqueue(id, priority: priority) != nil)
        }
        #expect(try await store.enqueue("test:low", priority: 5) == nil, "a post is queued at most once at a time")

        let first = try #require(try await store.claimNext(for: "alice"))
        #expect(first.postID == "test:high")
        guard case .claimed(let by, let at, let expiry) = first.state else { Issue.record("not claimed: \(first.state)"); return }
        #expect(by == "alice")
        #expect(expiry.timeIntervalSince(at) == 15 * 60, "default lease is 15 minutes")

        let second = try #require(try await store.claimNext(for: "bob", lease: .seconds(60)))
        #expect(second.postID == "test:mid")
        let third = try #require(try await store.claimNext(for: "carol", lease: .seconds(60)))
        #expect(third.postID == "test:low")
        #expect(try await store.claimNext(for: "dave") == nil, "everything is leased")

        clock.advance(by: .seconds(61))
        var stats = try await store.stats()
        #expect(stats.claimed == 1 && stats.expired == 2 && stats.pending == 0)
        let reclaimed = try #require(try await store.claimNext(for: "dave"))
        #expect(reclaimed.postID == "test:mid", "expired claims return, highest priority first")
        let audit = try await store.auditLog(postID: "test:mid", limit: 1)
        #expect(audit.first?.action == "queue.claim")
        #expect(audit.first?.detailJSON.contains("\"expiredClaimBy\":\"bob\"") == true)

        try await store.release(itemID: first.id, by: "alice")
        await #expect(throws: ReviewQueueError.self) { try await store.release(itemID: first.id, by: "alice") }
        do {
            try await store.release(itemID: reclaimed.id, by: "bob")
            Issue.record("bob released dave's item")
        } catch let error as ReviewQueueError {
            #expect(error.code == .notClaimed)
            #expect(error.message.contains("not claimed by 'bob'"))
        }
        stats = try await store.stats()
        #expect(stats.pending == 1)
        #expect(try await store.claimNext(for: "erin")?.postID == "test:high")
    }

    @Test("labels: append-only, latest wins, item decided, audited", arguments: StoreFactory.all)
    func labels(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.upsertPost(samplePost("test:a"))
        try await store.upsertPost(samplePost("test:b"))
        let item = try #require(try await store.enqueue("test:a", priority: 1))
        _ = try await store.claimNext(for: "alice")

        let first = try await store.addLabel(postID: "test:a", flags: ["guidance", "contact", "guidance"], reviewer: "alice", note: "both")
        #expect(first.flags == ["contact", "guidance"])
        clock.advance(by: .seconds(1))
        let second = try await store.addLabel(postID: "test:a", flags: [], reviewer: "bob", note: nil)
        #expect(second.id > first.id)
        #expect(try await store.labels(for: "test:a").map(\.flags) == [["contact", "guidance"], []])
        let current = try #require(try await store.currentLabel(for: "test:a"))
        #expect(current.isBenign && current.reviewer == "bob")
        #expect(try await store.currentLabel(for: "test:b") == nil)

        let decided = try await store.items(in: "decided", limit: 10)
        #expect(decided.map(\.id) == [item.id])
        guard case .decided(let by, _) = decided.first?.state else { Issue.record("item not decided"); return }
        #expect(by == "alice")
        #expect(try await store.enqueue("test:a", priority: 1) != nil, "a decided post may be queued again (content changed)")

        try await store.addLabel(postID: "test:b", flags: ["contact"], reviewer: "carol")
        let stats = try await store.stats()
        #expect(stats.labels == 3 && stats.labelledPosts == 2 && stats.benign == 1 && stats.flagCounts == ["contact": 1])

        let entry = try #require(try await store.auditLog(postID: "test:a", limit: 5).first { $0.action == "label.add" })
        #expect(entry.actor == "bob")
        let all = try await store.auditLog(postID: nil, limit: 100).map(\.action)
        #expect(all.filter { $0 == "label.add" }.count == 3)
    }

    @Test("labels for unknown ids or flags are refused and leave nothing behind", arguments: StoreFactory.all)
    func refusedLabels(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.upsertPost(samplePost("test:a"))
        let auditBefore = try await store.auditLog(postID: nil, limit: 100).count

        do {
            try await store.addLabel(postID: "youtube:nope", flags: ["guidance"], reviewer: "alice")
            Issue.record("label for an unknown id was stored")
        } catch let error as ReviewQueueError {
            #expect(error.code == .unknownPost)
            #expect(error.message.hasPrefix("No post with id 'youtube:nope' in the store."))
        }

        // Any flag is accepted until a model is known…
        try await store.addLabel(postID: "test:a", flags: ["whatever"], reviewer: "alice")
        // …then only the model's flags.
        try await store.recordPrediction(
            Prediction(postID: "test:a", modelVersion: "default@1", scores: ["guidance": 0.9, "contact": 0.1],
                       decisions: ["guidance": .flag, "contact": .clear], evidenceJSON: #"[{"kind":"phrase"}]"#), actor: "crawl")
        #expect(try await store.knownFlags() == ["contact", "guidance"])
        do {
            try await store.addLabel(postID: "test:a", flags: ["guidnace", "contact"], reviewer: "alice")
            Issue.record("label with an unknown flag was stored")
        } catch let error as ReviewQueueError {
            #expect(error.code == .unknownFlag)
            #expect(error.message == "Unknown flag 'guidnace': the models in this store know only contact, guidance. Did you mean 'guidance'?")
        }
        await #expect(throws: ReviewQueueError.self) {
            try await store.addLabel(postID: "test:a", flags: ["guidance"], reviewer: "  ", note: nil)
        }
        #expect(try await store.labels(for: "test:a").count == 1)
        #expect(try await store.auditLog(postID: nil, limit: 100).count == auditBefore + 2, "one label, one prediction")
        await #expect(throws: ReviewQueueError.self) {
            try await store.recordPrediction(Prediction(postID: "test:zzz", modelVersion: "m@1", scores: [:], decisions: [:]), actor: "x")
        }
    }

    @Test("predictions keep model version, scores, decisions and evidence", arguments: StoreFactory.all)
    func predictions(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.upsertPost(samplePost("test:p"))
        let evidence = #"[{"flag":"guidance","kind":"phrase","text":"cruzar de noche","field":"captions","cue":3}]"#
        try await store.recordPrediction(
            Prediction(postID: "test:p", modelVersion: "default@1", scores: ["guidance": 0.25], decisions: ["guidance": .clear]), actor: "crawl")
        clock.advance(by: .seconds(10))
        try await store.recordPrediction(
            Prediction(postID: "test:p", modelVersion: "default@2", scores: ["guidance": 0.97, "spam": 0.5],
                       decisions: ["guidance": .flag, "spam": .unsure], evidenceJSON: evidence), actor: "crawl")
        let all = try await store.predictions(for: "test:p")
        #expect(all.map(\.modelVersion) == ["default@2", "default@1"])
        #expect(all[0].scores == ["guidance": 0.97, "spam": 0.5])
        #expect(all[0].decisions == ["guidance": .flag, "spam": .unsure])
        #expect(all[0].evidenceJSON == evidence)
        #expect(all[0].createdAt == clock.now)
        try await store.registerModel(version: "sms@1", flags: ["spam", "phishing"])
        #expect(try await store.knownFlags() == ["guidance", "phishing", "spam"])
        #expect(try await store.stats().predictions == 2)
    }

    @Test("labelled posts page in id order with their current label", arguments: StoreFactory.all)
    func labelledPosts(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        for i in 0..<7 { try await store.upsertPost(samplePost("test:\(i)")) }
        for i in [5, 1, 3, 0, 6] { try await store.addLabel(postID: "test:\(i)", flags: ["contact"], reviewer: "r") }
        try await store.addLabel(postID: "test:3", flags: [], reviewer: "r2")
        var seen: [(String, [String])] = []
        try await store.forEachLabelledPost(pageSize: 2) { seen.append(($0.post.id, $0.label.flags)) }
        #expect(seen.map(\.0) == ["test:0", "test:1", "test:3", "test:5", "test:6"])
        #expect(seen[2].1 == [])
        #expect(try await store.labelledPosts(after: "test:3", limit: 1).map(\.post.id) == ["test:5"])
    }

    @Test("crawl state: one worker holds a source at a time; leases expire", arguments: StoreFactory.all)
    func crawlLeases(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        var state = try #require(try await store.acquireSource("rss:demo", owner: "w1", lease: .seconds(300)))
        #expect(state.leaseOwner == "w1" && state.consecutiveFailures == 0 && state.cursor == nil)
        #expect(try await store.acquireSource("rss:demo", owner: "w2", lease: .seconds(300)) == nil)
        #expect(try await store.acquireSource("rss:demo", owner: "w1", lease: .seconds(300)) != nil, "the holder may renew")

        state.cursor = "page-2"
        state.etag = "\"abc\""
        state.lastModified = "Sun, 29 Nov 2026 12:00:00 GMT"
        state.lastRunAt = clock.now
        state.nextDueAt = clock.now.addingTimeInterval(1800)
        state.consecutiveFailures = 2
        state.lastError = "timed out"
        await #expect(throws: ReviewQueueError.self) { try await store.saveCrawlState(state, owner: "w2", release: false) }
        try await store.saveCrawlState(state, owner: "w1", release: false)

        clock.advance(by: .seconds(301))
        await #expect(throws: ReviewQueueError.self, "w1's lease ran out") { try await store.saveCrawlState(state, owner: "w1", release: true) }
        let taken = try #require(try await store.acquireSource("rss:demo", owner: "w2", lease: .seconds(300)))
        #expect(taken.cursor == "page-2" && taken.etag == "\"abc\"" && taken.consecutiveFailures == 2 && taken.lastError == "timed out")
        #expect(taken.nextDueAt == clock.now.addingTimeInterval(1800 - 301))
        try await store.saveCrawlState(taken, owner: "w2", release: true)
        let states = try await store.crawlStates()
        #expect(states.count == 1 && states[0].leaseOwner == nil && states[0].leaseExpiresAt == nil)
        #expect(try await store.acquireSource("rss:demo", owner: "w3", lease: .seconds(1)) != nil, "released sources are free")
    }

    @Test("seen-id archive reports only new ids", arguments: StoreFactory.all)
    func seenIDs(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        #expect(try await store.markSeen(["a", "b", "a"], source: "s1") == ["a", "b"])
        #expect(try await store.markSeen(["b", "c"], source: "s2") == ["c"])
        #expect(try await store.markSeen([], source: "s2") == [])
        #expect(try await store.seenSource(of: "c") == "s2")
        #expect(try await store.seenSource(of: "b") == "s1", "the first source to see an id keeps it")
        #expect(try await store.seenSource(of: "d") == nil)
        #expect(try await store.stats().seenIDs == 3)
    }

    @Test("8 concurrent reviewers in one process never share an item", arguments: StoreFactory.all)
    func concurrentClaimsInProcess(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        for i in 0..<40 {
            try await store.upsertPost(samplePost("test:\(i)"))
            try await store.enqueue("test:\(i)", priority: Double(i % 7))
        }
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for r in 0..<8 {
                group.addTask {
                    var mine: [Int64] = []
                    while let item = try await store.claimNext(for: "r\(r)") { mine.append(item.id) }
                    return mine
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
    }
}
