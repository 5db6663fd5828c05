import Bayes
import Crawl
import Foundation
import Posts
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// The router classifies only new and changed posts; unchanged ones go to the store without a
/// prediction, and a post that changed behind the router's back makes it classify the batch.
@Suite("crawl: unchanged posts are not classified again")
struct PostRouterTests {
    static func demoPosts() throws -> [Post] {
        try String(contentsOfFile: TestSupport.path("Fixtures/demo/posts.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try Post(jsonLine: String($0)) }
    }

    /// A SQLite store, and a PostgreSQL one when the PostgreSQL tests run.
    static func stores() async throws -> [(String, any ReviewQueueStore)] {
        var out: [(String, any ReviewQueueStore)] = [("sqlite", try await ReviewQueueStores.open(url: try TestSupport.temporaryDirectory() + "/q.sqlite"))]
        if let url = try await CrawlPostgres.makeDatabase() { out.append(("postgres", try await ReviewQueueStores.open(url: url))) }
        return out
    }

    @Test("a second pass over the same posts classifies nothing; one changed post is classified and predicted again")
    func skipsUnchanged() async throws {
        let model = try ModelFile.load(TestSupport.path("Models/default"))
        var posts = try Self.demoPosts()
        for (backend, store) in try await Self.stores() {
            var router = PostRouter(store: store, model: model, modelLabel: "default@test", clearSampleRate: 0)
            let first = try await router.route(posts, actor: "test")
            #expect(first.new == posts.count, "\(backend)")
            #expect(router.classified == posts.count, "\(backend)")

            let second = try await router.route(posts, actor: "test")
            #expect(second.unchanged == posts.count, "\(backend)")
            #expect(router.classified == posts.count, "\(backend): nothing classified on the second pass")

            posts[0].description = (posts[0].description ?? "") + " (edited)"
            let third = try await router.route(posts, actor: "test")
            #expect(third.changed == 1 && third.unchanged == posts.count - 1, "\(backend)")
            #expect(router.classified == posts.count + 1, "\(backend)")
            #expect(try await store.predictions(for: posts[0].id).count == 2, "\(backend)")
            #expect(try await store.predictions(for: posts[1].id).count == 1, "\(backend)")
            await store.close()
        }
    }

    @Test("an item without a prediction whose post is new in the store refuses the whole batch, writing nothing")
    func changedMeanwhileRefusesTheBatch() async throws {
        let model = try ModelFile.load(TestSupport.path("Models/default"))
        let posts = try Self.demoPosts()
        for (backend, store) in try await Self.stores() {
            var router = PostRouter(store: store, model: model, modelLabel: "default@test", clearSampleRate: 0)
            let (prediction, routing, _) = router.classify(posts[0])
            let items = [
                IngestItem(post: posts[0], prediction: prediction, routing: routing),
                IngestItem(post: posts[1], prediction: nil, routing: nil),  // "unchanged", but never stored
            ]
            await #expect(throws: ReviewQueueError.self, "\(backend)") { try await store.ingest(items, actor: "test") }
            do {
                _ = try await store.ingest(items, actor: "test")
            } catch let error as ReviewQueueError {
                #expect(error.code == .changedMeanwhile, "\(backend)")
                #expect(error.message.contains("Post '\(posts[1].id)'"), "\(backend): \(error.message)")
            }
            #expect(try await store.stats().posts == 0, "\(backend): the batch is all or nothing")
            // The router looks the posts up first, so it classifies both and stores them.
            let stats = try await router.route(Array(posts.prefix(2)), actor: "test")
            #expect(stats.new == 2, "\(backend)")
            await store.close()
        }
    }
}
