import Foundation
import Posts
import ReviewQueue
import SmuggleWatchTesting
import Testing

@testable import ReviewTerminal

/// The session logic against a real SQLite store, keys fed in directly (no terminal).
@Suite("review session")
struct ReviewSessionTests {
    func seededStore() async throws -> SQLiteReviewQueueStore {
        let path = try TestSupport.temporaryDirectory() + "/store.sqlite"
        let store = try SQLiteReviewQueueStore(path: path)
        let posts: [(String, Double, String)] = [
            ("test:high", 3, #"[{"kind":"phone","text":"555 555 0142","value":"5555550142","field":"description","range":[5,17]}]"#),
            ("test:mid", 2, #"[{"kind":"phone","text":"555 555 0142","value":"5555550142","field":"description","range":[5,17]}]"#),
            ("test:low", 1, "[]"),
        ]
        for (id, priority, evidence) in posts {
            try await store.upsertPost(Post(id: id, platform: "test", title: "Post \(id)", description: "call 555 555 0142 today"))
            try await store.recordPrediction(
                Prediction(postID: id, modelVersion: "default@1", scores: ["contact": 0.9, "guidance": 0.2],
                           decisions: ["contact": .flag, "guidance": .clear], evidenceJSON: evidence), actor: "test")
            try await store.enqueue(id, priority: priority)
        }
        return store
    }

    func type(_ text: String, into session: ReviewSession) async {
        for key in Key.decode(Array(text.utf8)) { await session.handle(key) }
    }

    @Test("decide, skip, note, undo and quit land in the store")
    func fullSession() async throws {
        let store = try await seededStore()
        defer { Task { await store.close() } }
        let session = ReviewSession(store: store, flags: try await store.knownFlags(), options: .init(reviewer: "alice", color: false))
        try await session.start()
        #expect(session.card?.post.id == "test:high")
        #expect(session.card?.shared.map(\.shared.postID) == ["test:mid"])
        let screen = session.frame(columns: 80, rows: 40).joined(separator: "\n")
        #expect(screen.contains("call [[555 555 0142]] today"))
        #expect(screen.contains("test:mid  [[phone 5555550142]]  not labelled"))

        // c: contact, saved at once; the next item comes up.
        await type("c", into: session)
        #expect(try await store.currentLabel(for: "test:high")?.flags == ["contact"])
        #expect(session.card?.post.id == "test:mid")

        // s: skip gives test:mid back to the queue and moves on.
        await type("s", into: session)
        #expect(session.card?.post.id == "test:low")
        #expect(try await store.items(in: "pending", limit: 10).map(\.postID) == ["test:mid"])

        // a: a note, then n (benign) with the note.
        await type("aonly a recipe video\r", into: session)
        #expect(session.pendingNote == "only a recipe video")
        await type("n", into: session)
        let benign = try #require(try await store.currentLabel(for: "test:low"))
        #expect(benign.flags.isEmpty && benign.note == "only a recipe video" && benign.reviewer == "alice")
        #expect(session.card == nil, "test:mid was skipped in this session")
        #expect(session.frame(columns: 80, rows: 12).joined().contains("No items to review right now."))

        // u: undo the benign label; test:low comes back to alice.
        await type("u", into: session)
        #expect(try await store.currentLabel(for: "test:low") == nil)
        #expect(session.card?.post.id == "test:low")
        #expect(session.message?.text.contains("it is unlabelled") == true)
        // Decide it again as both.
        await type("b", into: session)
        #expect(try await store.currentLabel(for: "test:low")?.flags == ["contact", "guidance"])
        #expect(session.decided == 2 && session.skipped == 1 && session.undone == 1, "c, n, undo, b")

        await type("r", into: session)
        #expect(session.card == nil)
        await type("q", into: session)
        #expect(session.isFinished)
        #expect(session.summary == "Reviewed 2 items, skipped 1, undid 1 (reviewer alice).")
        let actions = try await store.auditLog(postID: "test:low", limit: 10).map(\.action)
        #expect(actions.prefix(4) == ["label.add", "queue.reopen", "label.undo", "label.add"])
    }

    @Test("number keys choose any flag the store knows; Enter saves; quitting releases the claim")
    func numberedFlags() async throws {
        let store = try await seededStore()
        defer { Task { await store.close() } }
        try await store.registerModel(version: "sms@1", flags: ["spam"])
        let flags = try await store.knownFlags()
        #expect(flags == ["contact", "guidance", "spam"])
        let session = ReviewSession(store: store, flags: flags, options: .init(reviewer: "bob", color: true))
        try await session.start()
        await type("\r", into: session)
        #expect(session.message?.text.hasPrefix("Choose flags with 1–3 first") == true)
        await type("31", into: session)
        #expect(session.toggled == ["spam", "contact"])
        await type("\r", into: session)
        #expect(try await store.currentLabel(for: "test:high")?.flags == ["contact", "spam"])
        // The help overlay swallows the next key.
        await type("?", into: session)
        #expect(session.frame(columns: 100, rows: 40).joined().contains("Keys (each decision is saved at once)"))
        await type("g", into: session)
        #expect(try await store.currentLabel(for: "test:mid") == nil)
        await type("q", into: session)
        #expect(try await store.items(in: "pending", limit: 10).map(\.postID) == ["test:mid", "test:low"])
    }

    @Test("the frame fits the terminal and pages long posts")
    func paging() async throws {
        let path = try TestSupport.temporaryDirectory() + "/store.sqlite"
        let store = try SQLiteReviewQueueStore(path: path)
        defer { Task { await store.close() } }
        let cues = (0..<60).map { Cue(start: Double($0 * 5), end: Double($0 * 5 + 5), text: "cue number \($0) with some words") }
        try await store.upsertPost(Post(id: "test:long", title: "Long", captions: cues))
        try await store.enqueue("test:long", priority: 1)
        let session = ReviewSession(store: store, flags: ["contact", "guidance"], options: .init(reviewer: "carol", color: true))
        try await session.start()
        let first = session.frame(columns: 60, rows: 20)
        #expect(first.count == 20)
        #expect(first.first?.contains("page 1/") == true)
        #expect(first.joined().contains("00:00"))
        #expect(!first.joined().contains("04:55"))
        for _ in 0..<10 { await type(" ", into: session) }
        let last = session.frame(columns: 60, rows: 20).joined()
        #expect(last.contains("04:55") && last.contains("cue number 59"))
        #expect(last.contains("page 5/5"))
        #expect(last.contains("not labelled yet"))
    }
}
