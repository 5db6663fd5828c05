import Foundation
import Posts
import ReviewQueue
import Testing

/// What `smugglewatch review` needs from every store backend: contact identifiers indexed from
/// evidence, undo as an appended record, and claims that pass over skipped items.
@Suite("ReviewQueueStore contract: review sessions")
struct ReviewSessionStoreContractTests {
    static let evidenceA = #"""
        [{"flag":"contact","kind":"phrase","text":"crossing","field":"title","range":[0,8],"weight":2.1},
         {"kind":"phone","text":"+52 55 5555 0142","value":"+525555550142","field":"description","range":[10,26]},
         {"kind":"telegram","text":"t.me/Paso_Seguro_demo","field":"description","range":[30,51]},
         {"kind":"whatsapp","text":"whats","field":"description","range":[0,5]},
         {"kind":"price","text":"9,500 USD","value":"9500 USD","field":"description","range":[60,69]}]
        """#
    static let evidenceB = #"""
        [{"kind":"whatsapp","text":"wa.me/525555550142","value":"+525555550142","field":"captions","cue":2,"start":4.8,"range":[0,18]},
         {"kind":"handle","text":"@paso_seguro_demo","value":"@paso_seguro_demo","field":"description","range":[0,17]}]
        """#
    static let evidenceC = #"[{"kind":"phone","text":"555 555 0199","value":"5555550199","field":"description","range":[0,12]}]"#

    /// Stores sample posts and queues them with these priorities; returns the item ids.
    func enqueued(_ store: any ReviewQueueStore, _ posts: [(String, Double)]) async throws -> [Int64] {
        var ids: [Int64] = []
        for (id, priority) in posts {
            try await store.upsertPost(samplePost(id))
            ids.append(try #require(try await store.enqueue(id, priority: priority)).id)
        }
        return ids
    }

    func record(_ store: any ReviewQueueStore, _ id: String, _ evidence: String) async throws {
        try await store.upsertPost(samplePost(id))
        try await store.recordPrediction(
            Prediction(postID: id, modelVersion: "default@1", scores: ["contact": 0.9, "guidance": 0.1],
                       decisions: ["contact": .flag, "guidance": .clear], evidenceJSON: evidence), actor: "test")
    }

    @Test("contact identifiers are indexed from the latest prediction and shared posts found", arguments: StoreFactory.all)
    func sharedContacts(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        try await record(store, "test:a", Self.evidenceA)
        try await record(store, "test:b", Self.evidenceB)
        try await record(store, "test:c", Self.evidenceC)
        try await record(store, "test:d", "not json at all")

        // Keywords ("whats") and prices are not identifiers; formats are normalised.
        #expect(try await store.contacts(for: "test:a") == [
            ContactIdentifier(kind: "phone", value: "525555550142"),
            ContactIdentifier(kind: "telegram", value: "paso_seguro_demo"),
        ])
        #expect(try await store.contacts(for: "test:d").isEmpty)

        let shared = try await store.postsSharingContacts(postID: "test:a", limit: 10)
        #expect(shared == [
            SharedContactPost(postID: "test:b", contacts: [
                ContactIdentifier(kind: "whatsapp", value: "525555550142"),
                ContactIdentifier(kind: "handle", value: "paso_seguro_demo"),
            ].sorted()),
        ])
        #expect(try await store.postsSharingContacts(postID: "test:b", limit: 10).map(\.postID) == ["test:a"])
        #expect(try await store.postsSharingContacts(postID: "test:c", limit: 10).isEmpty)
        #expect(try await store.postsSharingContacts(postID: "test:a", limit: 0).isEmpty)

        // A new prediction replaces the post's identifiers.
        try await store.recordPrediction(
            Prediction(postID: "test:b", modelVersion: "default@2", scores: ["contact": 0.1], decisions: ["contact": .clear],
                       evidenceJSON: Self.evidenceC), actor: "test")
        #expect(try await store.postsSharingContacts(postID: "test:a", limit: 10).isEmpty)
        #expect(try await store.postsSharingContacts(postID: "test:c", limit: 10).map(\.postID) == ["test:b"])
    }

    @Test("undo appends a record: the label stops counting and the item comes back to the reviewer", arguments: StoreFactory.all)
    func undoUnlabels(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.upsertPost(samplePost("test:a"))
        let queued = try #require(try await store.enqueue("test:a", priority: 1))
        _ = try #require(try await store.claimNext(for: "alice"))
        let label = try await store.addLabel(postID: "test:a", flags: ["contact"], reviewer: "alice", note: "phone in bio")
        #expect(try await store.items(in: "decided", limit: 10).map(\.id) == [queued.id])

        clock.advance(by: .seconds(3))
        let result = try await store.undoLabel(id: label.id, by: "alice", lease: .seconds(600))
        #expect(result.undone == label)
        #expect(result.current == nil)
        let item = try #require(result.item)
        #expect(item.id == queued.id)
        guard case .claimed(let by, _, let expiry) = item.state else { Issue.record("not claimed: \(item.state)"); return }
        #expect(by == "alice" && expiry == clock.now.addingTimeInterval(600))
        #expect(try await store.items(in: "claimed", limit: 10).map(\.id) == [queued.id])

        #expect(try await store.labels(for: "test:a").isEmpty)
        #expect(try await store.currentLabel(for: "test:a") == nil)
        var stats = try await store.stats()
        #expect(stats.labels == 0 && stats.labelledPosts == 0 && stats.flagCounts.isEmpty)
        #expect(try await store.labelledPosts(after: nil, limit: 10).isEmpty)
        let actions = try await store.auditLog(postID: "test:a", limit: 2).map(\.action)
        #expect(actions == ["queue.reopen", "label.undo"])

        // Deciding again works as before; the undone label cannot be undone twice.
        let again = try await store.addLabel(postID: "test:a", flags: [], reviewer: "alice", note: nil)
        #expect(try await store.labels(for: "test:a") == [again])
        stats = try await store.stats()
        #expect(stats.labels == 1 && stats.benign == 1)
        do {
            _ = try await store.undoLabel(id: label.id, by: "alice", lease: .seconds(60))
            Issue.record("an undone label was undone again")
        } catch let error as ReviewQueueError {
            #expect(error.code == .invalidLabel)
            #expect(error.message == "Label \(label.id) of post 'test:a' was already undone.")
        }
    }

    @Test("undo restores the previous label; only the current label, only by its reviewer", arguments: StoreFactory.all)
    func undoRules(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.upsertPost(samplePost("test:a"))
        let first = try await store.addLabel(postID: "test:a", flags: ["guidance"], reviewer: "bob")
        let second = try await store.addLabel(postID: "test:a", flags: ["contact"], reviewer: "alice")

        await #expect(throws: ReviewQueueError.self) { try await store.undoLabel(id: first.id, by: "bob", lease: .seconds(60)) }
        do {
            _ = try await store.undoLabel(id: second.id, by: "bob", lease: .seconds(60))
            Issue.record("bob undid alice's label")
        } catch let error as ReviewQueueError {
            #expect(error.code == .invalidLabel)
            #expect(error.message.hasPrefix("Label \(second.id) of post 'test:a' was made by 'alice', not 'bob'"))
        }
        await #expect(throws: ReviewQueueError.self) { try await store.undoLabel(id: 987_654, by: "bob", lease: .seconds(60)) }

        let result = try await store.undoLabel(id: second.id, by: "alice", lease: .seconds(60))
        #expect(result.current == first)
        #expect(result.item == nil, "the post was never queued")
        #expect(try await store.currentLabel(for: "test:a") == first)
        #expect(try await store.labelledPosts(after: nil, limit: 10).map(\.label) == [first])
        // Now bob's label is current again, so bob may undo it.
        let back = try await store.undoLabel(id: first.id, by: "bob", lease: .seconds(60))
        #expect(back.current == nil)
        let entry = try #require(try await store.auditLog(postID: "test:a", limit: 1).first)
        #expect(entry.action == "label.undo" && entry.actor == "bob")
        #expect(entry.detailJSON.contains("\"current\":\"none\""))
    }

    @Test("undo leaves an item another reviewer holds alone", arguments: StoreFactory.all)
    func undoRespectsOtherClaims(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.upsertPost(samplePost("test:a"))
        try await store.enqueue("test:a", priority: 1)
        _ = try await store.claimNext(for: "alice")
        let label = try await store.addLabel(postID: "test:a", flags: ["contact"], reviewer: "alice")
        // The post changed and was queued again; bob holds the new item.
        let requeued = try #require(try await store.enqueue("test:a", priority: 2))
        _ = try #require(try await store.claimNext(for: "bob"))
        let result = try await store.undoLabel(id: label.id, by: "alice", lease: .seconds(60))
        #expect(result.item == nil)
        guard case .claimed(let by, _, _) = try #require(try await store.items(in: "claimed", limit: 5).first { $0.id == requeued.id }).state
        else { Issue.record("bob lost the item"); return }
        #expect(by == "bob")
    }

    @Test("claims pass over the items a reviewer skipped", arguments: StoreFactory.all)
    func claimExcluding(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        let ids = try await enqueued(store, [("test:1", 3.0), ("test:2", 2.0), ("test:3", 1.0)])
        let first = try #require(try await store.claimNext(for: "alice", lease: .seconds(60), excluding: []))
        #expect(first.id == ids[0])
        try await store.release(itemID: first.id, by: "alice")
        let second = try #require(try await store.claimNext(for: "alice", lease: .seconds(60), excluding: [first.id]))
        #expect(second.id == ids[1])
        try await store.release(itemID: second.id, by: "alice")
        let third = try #require(try await store.claimNext(for: "alice", lease: .seconds(60), excluding: [first.id, second.id]))
        #expect(third.id == ids[2])
        #expect(try await store.claimNext(for: "alice", lease: .seconds(60), excluding: [first.id, second.id]) == nil)
        // Another reviewer still gets the skipped items.
        #expect(try await store.claimNext(for: "bob", lease: .seconds(60), excluding: [])?.id == ids[0])
        // A lapsed claim is handed out too, unless excluded.
        clock.advance(by: .seconds(61))
        #expect(try await store.claimNext(for: "carol", lease: .seconds(60), excluding: [ids[0], ids[1]])?.id == ids[2])
        let audit = try #require(try await store.auditLog(postID: "test:3", limit: 1).first)
        #expect(audit.detailJSON.contains("\"expiredClaimBy\":\"alice\""))
    }

    @Test("a decision and the next claim in one call: saved, decided, the next best item claimed, skipped ones passed over", arguments: StoreFactory.all)
    func labelAndClaimNext(_ factory: StoreFactory) async throws {
        let temp = try await factory.make(ManualStoreClock())
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.registerModel(version: "default@1", flags: ["guidance", "contact"])
        let ids = try await enqueued(store, [("test:1", 4.0), ("test:2", 3.0), ("test:3", 2.0), ("test:4", 1.0)])
        let first = try #require(try await store.claimNext(for: "alice", lease: .seconds(60), excluding: []))
        // test:2 was skipped this session: the next claim passes over it.
        let result = try await store.addLabelAndClaimNext(
            postID: first.postID, flags: ["contact"], reviewer: "alice", note: "phone in bio", lease: .seconds(60), excluding: [ids[1]])
        #expect(result.label.postID == "test:1" && result.label.flags == ["contact"] && result.label.note == "phone in bio")
        #expect(try await store.currentLabel(for: "test:1") == result.label)
        let next = try #require(result.next)
        #expect(next.id == ids[2])
        #expect(next.state.name == "claimed")
        let decided = try await store.items(in: "decided", limit: 10)
        #expect(decided.map(\.id) == [ids[0]])
        #expect(try await store.auditLog(postID: "test:3", limit: 1).first?.action == "queue.claim")

        // An unknown post or flag: an error, and nothing claimed.
        await #expect(throws: ReviewQueueError.self) {
            _ = try await store.addLabelAndClaimNext(
                postID: "test:none", flags: ["contact"], reviewer: "alice", note: nil, lease: .seconds(60), excluding: [])
        }
        await #expect(throws: ReviewQueueError.self) {
            _ = try await store.addLabelAndClaimNext(
                postID: "test:3", flags: ["weather"], reviewer: "alice", note: nil, lease: .seconds(60), excluding: [])
        }
        #expect(try await store.items(in: "claimed", limit: 10).map(\.id) == [ids[2]])
        #expect(try await store.currentLabel(for: "test:3") == nil)

        // The last decision finds the queue empty but for the skipped item it passes over.
        let last = try await store.addLabelAndClaimNext(
            postID: "test:3", flags: [], reviewer: "alice", note: nil, lease: .seconds(60), excluding: [ids[1], ids[3]])
        #expect(last.label.flags.isEmpty)
        #expect(last.next == nil)
        #expect(try await store.items(in: "pending", limit: 10).map(\.id) == [ids[1], ids[3]])
    }

    @Test("a decision after the reviewer's own lease ran out decides that item and claims another", arguments: StoreFactory.all)
    func labelAndClaimNextAfterLapse(_ factory: StoreFactory) async throws {
        let clock = ManualStoreClock()
        let temp = try await factory.make(clock)
        defer { Task { await temp.close() } }
        let store = temp.store
        try await store.registerModel(version: "default@1", flags: ["guidance", "contact"])
        let ids = try await enqueued(store, [("test:1", 2.0), ("test:2", 1.0)])
        let first = try #require(try await store.claimNext(for: "alice", lease: .seconds(60), excluding: []))
        clock.advance(by: .seconds(61))  // test:1's claim has lapsed and is the best claimable item
        let result = try await store.addLabelAndClaimNext(
            postID: first.postID, flags: ["guidance"], reviewer: "alice", note: nil, lease: .seconds(60), excluding: [])
        #expect(result.next?.id == ids[1])
        #expect(try await store.items(in: "decided", limit: 10).map(\.id) == [ids[0]])
        #expect(try await store.items(in: "claimed", limit: 10).map(\.id) == [ids[1]])
    }
}
