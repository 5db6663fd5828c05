import Bayes
import Foundation
import Posts
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// `retrain` and `models list | promote | rollback` end to end: the built executable, a real
/// SQLite store in a temporary folder, and a temporary model registry seeded from Models/default.
@Suite("smugglewatch retrain and the model registry", .serialized)
struct RetrainCommandTests {
    let dir: String
    let db: String
    let models: String

    init() throws {
        dir = try TestSupport.temporaryDirectory("smugglewatch-retrain")
        db = dir + "/store.sqlite"
        models = dir + "/models"
    }

    static let fixtureTrain: [Post] = {
        var posts: [Post] = []
        _ = try? PostReader().forEachPost(in: TestSupport.path("Fixtures/corpus/train.jsonl")) { posts.append($0) }
        return posts
    }()

    func run(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.smugglewatch(arguments + ["--models-dir", models])
    }

    /// Stores `posts` and labels each with `flags(post)` (nil: leave it unlabelled).
    func label(_ posts: [Post], _ flags: (Post) -> [String]?) async throws {
        let store = try SQLiteReviewQueueStore(path: db)
        for var post in posts {
            guard let f = flags(post) else { continue }
            post.labels = nil
            try await store.upsertPost(post, actor: "test")
            try await store.addLabel(postID: post.id, flags: f, reviewer: "tester")
        }
        await store.close()
    }

    /// Fixture train posts under new ids, with their true labels: more of the same data.
    func copies(_ range: Range<Int>) -> [Post] {
        Self.fixtureTrain[range].map { p in
            var q = p
            q.id = "review:" + p.id
            return q
        }
    }

    @Test("retrain with reviewed labels, promote when the gates pass; predictions then record default@2")
    func retrainAndPromote() async throws {
        try await label(copies(0..<240)) { $0.labels }
        let r = try run(["retrain", "--promote", "--db", db])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("training data: 1746 fixture posts + 192 reviewed posts (of 240 reviewed; 0 replace fixture posts)"))
        #expect(r.stdout.contains("held out:      474 fixture test posts + 48 newest reviewed posts = 522"))
        #expect(r.stdout.contains("current default@1"), "side-by-side table: \(r.stdout)")
        #expect(r.stdout.contains("candidate default@2"))
        #expect(r.stdout.contains("macro-F1"))
        #expect(r.stdout.contains("gate pass: macro-F1"))
        #expect(r.stdout.contains("promoted default@2 (was default@1)"))

        let list = try run(["models", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("* default@2") == true, "\(list.stdout)")
        #expect(lines.contains { $0.hasPrefix("  default@1") })
        #expect(list.stdout.contains("(192 reviewed)"))

        // The store heard of the promotion, and import --queue records the promoted version.
        let store = try SQLiteReviewQueueStore(path: db)
        let audit = try await store.auditLog(postID: nil, limit: 50)
        #expect(audit.contains { $0.action == "model.register" && $0.detailJSON.contains("default@2") })
        await store.close()
        let imported = try run(["import", "--queue", "--clear-sample", "0", "--db", db, TestSupport.path("Fixtures/demo/posts.jsonl")])
        #expect(imported.status == 0, "\(imported.stderr)")
        let reopened = try SQLiteReviewQueueStore(path: db)
        let predictions = try await reopened.predictions(for: "demo:zh-0074")
        await reopened.close()
        #expect(predictions.map(\.modelVersion) == ["default@2"])

        // The card records where the next incremental refresh starts.
        let card = try ModelCard.read(models + "/default@2/card.json")
        #expect(card.version == 2 && card.reviewedPosts == 192 && card.lastLabelID == 240)
        #expect(FileManager.default.fileExists(atPath: models + "/default@2/training.json"))
    }

    @Test("promotion is refused, with the failing gate and its numbers, when labels poison a flag")
    func poisonedLabelsAreNotPromoted() async throws {
        // Every benign fixture train post relabelled as a smuggling contact.
        try await label(Self.fixtureTrain) { $0.labels == [] ? ["contact"] : nil }
        let r = try run(["retrain", "--promote", "--db", db])
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("gate FAIL: contact precision"), "\(r.stdout)")
        #expect(r.stderr.contains("Error: not promoted: "), "\(r.stderr)")
        #expect(r.stderr.contains("(floor 0.800)"))
        #expect(r.stderr.contains("default@1 stays current; default@2 is kept in the registry"))
        let list = try run(["models", "list"])
        #expect(list.stdout.split(separator: "\n").first?.hasPrefix("  default@2") == true, "\(list.stdout)")
        #expect(list.stdout.contains("* default@1"))
    }

    @Test("promote by hand and roll back twice; list marks the current version")
    func promoteAndRollBackTwice() async throws {
        try await label(copies(0..<40)) { $0.labels }
        for _ in 0..<2 {
            let r = try run(["retrain", "--folds", "0", "--db", db])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try run(["models", "promote", "default@2", "--db", db]).stdout.contains("promoted default@2 (was default@1)"))
        #expect(try run(["models", "promote", "default@3", "--db", db]).stdout.contains("promoted default@3 (was default@2)"))
        #expect(try run(["models", "list"]).stdout.hasPrefix("* default@3"))
        #expect(try run(["models", "rollback", "--db", db]).stdout.contains("rolled back from default@3 to default@2"))
        #expect(try run(["models", "rollback"]).stdout.contains("rolled back from default@2 to default@1"))
        let none = try run(["models", "rollback"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("nothing to roll back to: default@1 is the first promoted version"), "\(none.stderr)")
        let list = try run(["models", "list"])
        #expect(list.stdout.contains("* default@1"))
        #expect(list.stdout.contains("  default@3"))
        let history = try run(["models", "history"])
        #expect(history.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
            == ["seed", "save", "save", "promote", "promote", "rollback", "rollback"])
        let bad = try run(["models", "promote", "default@9"])
        #expect(bad.status == 1 && bad.stderr.contains("no model version default@9"))
        let usage = try run(["models", "promote", "default"])
        #expect(usage.status == 2)
    }

    @Test("guards: too few positives and an extreme class balance are refused, naming the flag and the numbers")
    func guards() async throws {
        let few = try run(["retrain", "--min-positives", "1000", "--db", db])
        #expect(few.status == 1)
        #expect(few.stderr.contains("Error: not training: flag 'guidance' has 420 positive posts among 1746 training posts; at least 1000 are needed (--min-positives)"), "\(few.stderr)")

        var lines: [String] = []
        for k in 0..<150 { lines.append(#"{"id":"s:b\#(k)","description":"ordinary post number \#(k) about tacos","labels":[]}"#) }
        lines.append(#"{"id":"s:g1","description":"cross at night avoid the patrol","labels":["guidance"]}"#)
        for k in 0..<40 { lines.append(#"{"id":"s:c\#(k)","description":"whatsapp for the trip \#(k)","labels":["contact"]}"#) }
        let skewed = try TestSupport.temporaryFile("skewed.jsonl", text: lines.joined(separator: "\n") + "\n")
        let extreme = try run(["retrain", "--fixtures-train", skewed, "--fixtures-test", skewed, "--min-positives", "1", "--db", db])
        #expect(extreme.status == 1)
        #expect(extreme.stderr.contains("flag 'guidance' is on 1 of 191 training posts (0.5%): the class balance is extreme (allowed 1%–99%"), "\(extreme.stderr)")
        #expect(!FileManager.default.fileExists(atPath: models + "/default@2"), "nothing is trained or saved")
    }

    @Test("retrain --incremental gives the counts of a full rebuild on the same labels")
    func incrementalEqualsRebuild() async throws {
        // From the seeded model (trained on the fixtures alone): its card's data hash matches.
        try await label(copies(0..<60)) { $0.labels }
        let first = try run(["retrain", "--incremental", "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("refreshed default@1's counts: 0 relabelled, 48 learned, 0 un-learned"), "\(first.stdout)")
        #expect(try run(["models", "promote", "default@2"]).status == 0)

        // Corrections: 15 reviewed posts flip, 10 fixture posts get a review, 20 new posts.
        try await label(copies(0..<15)) { $0.labels == [] ? ["guidance"] : [] }
        try await label(Array(Self.fixtureTrain[100..<110])) { _ in ["contact"] }
        try await label(copies(60..<80)) { $0.labels }
        let refreshed = try run(["retrain", "--incremental", "--db", db])
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        #expect(refreshed.stdout.contains("refreshed default@2's counts:"), "\(refreshed.stdout)")
        let rebuilt = try run(["retrain", "--folds", "0", "--db", db])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")

        let a = try ModelFile.load(models + "/default@3")
        let b = try ModelFile.load(models + "/default@4")
        #expect(a.documentCount == b.documentCount)
        #expect(a.vocabulary.count == b.vocabulary.count)
        #expect(Dictionary(uniqueKeysWithValues: zip(a.flags, a.flagDocumentCounts))
            == Dictionary(uniqueKeysWithValues: zip(b.flags, b.flagDocumentCounts)))
        #expect(a.countsByToken() == b.countsByToken())
        #expect(try ModelCard.read(models + "/default@3/card.json").refreshedFrom == "default@2")
    }

    @Test("the model is --model, else $SMUGGLEWATCH_MODEL, else the registry's current version, else Models/default")
    func modelResolution() throws {
        let post = #"{"id":"q:1","description":"cross at night, whatsapp +1 555 0142"}"#
        func model(_ arguments: [String], environment: [String: String] = [:]) throws -> String? {
            let r = try TestSupport.run(
                TestSupport.executable, ["classify", "-"] + arguments, stdin: post, environment: environment,
                directory: TestSupport.packageRoot.path)
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return json?["model"] as? String
        }
        #expect(try model(["--models-dir", models]) == "default@1", "empty registry: Models/default")
        let registry = ModelRegistry(root: models)
        try registry.seedIfEmpty(from: TestSupport.path("Models/default"), actor: "t")
        let bundled = try ModelFile.load(TestSupport.path("Models/default"))
        let card = try #require(registry.card(for: ModelVersion(name: "default", number: 1)))
        try registry.promote(try registry.save(bundled, card: card, manifest: nil, actor: "t"), actor: "t")
        #expect(try model(["--models-dir", models]) == "default@2")
        #expect(try model([], environment: ["SMUGGLEWATCH_MODELS": models]) == "default@2")
        #expect(try model(["--models-dir", models], environment: ["SMUGGLEWATCH_MODEL": TestSupport.path("Models/default")]) == "default@1")
        #expect(try model(["--models-dir", models, "--model", TestSupport.path("Models/default")]) == "default@1")
    }
}
