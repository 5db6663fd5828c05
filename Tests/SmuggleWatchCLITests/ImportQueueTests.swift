import Foundation
import SmuggleWatchTesting
import Testing

/// `import --queue`: posts stored, classified with the default model and routed into a real SQLite
/// queue; importing the same posts again queues nothing twice.
@Suite("smugglewatch import --queue")
struct ImportQueueTests {
    @Test("flagged and unsure posts are queued once, with the model's prediction and evidence")
    func importQueuesOnce() throws {
        let db = try TestSupport.temporaryDirectory() + "/queue.sqlite"
        let demo = TestSupport.path("Fixtures/demo/posts.jsonl")
        let first = try TestSupport.smugglewatch(["import", "--queue", "--clear-sample", "0", "--db", db, demo])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("read 24: new 24, changed 0, unchanged 0"))
        let list = try TestSupport.smugglewatch(["queue", "list", "--json", "--limit", "100", "--db", db])
        #expect(list.status == 0, "\(list.stderr)")
        let items = try list.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let ids = Set(items.compactMap { $0["post"] as? String })
        // The demo's smuggling offers are queued as flagged; the lawyer's ad and the news report are not.
        #expect(ids.contains("demo:zh-0074"))
        #expect(ids.contains("demo:es-0081"))
        #expect(!ids.contains("demo:en-0229"))
        #expect(!ids.contains("demo:es-0179"))
        #expect(items.contains { ($0["reason"] as? String)?.hasPrefix("flag:") == true })

        let again = try TestSupport.smugglewatch(["import", "--queue", "--clear-sample", "0", "--db", db, demo])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("new 0, changed 0, unchanged 24; flagged 0, queued 0"))
    }
}
