import Bayes
import Features
import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// A reviewed label for `post`, `minutes` after a fixed start.
func review(_ post: Post, _ flags: [String], id: Int64, minutes: Double, hash: String? = nil) -> ReviewedExample {
    ReviewedExample(
        post: post, flags: flags, labelID: id, labelledAt: Date(timeIntervalSince1970: 1_800_000_000 + minutes * 60),
        contentHash: hash ?? "h:\(post.id):\(post.description ?? "")")
}

@Suite("Retraining: plan, guards, gates, incremental refresh")
struct RetrainingTests {
    let fixtureTrain = Array(tinyCorpus[0..<7])
    let fixtureTest = [tinyCorpus[7], tinyCorpus[8]]

    @Test("the newest reviewed labels are held out; reviewed posts replace fixture posts with the same id")
    func plan() {
        let extra = (0..<10).map { Post(id: "r:\($0)", description: "reviewed post number \($0) route at night", labels: nil) }
        var reviewed = extra.enumerated().map { review($0.element, ["guidance"], id: Int64($0.offset + 1), minutes: Double($0.offset)) }
        // t:6 (fixture benign) reviewed as guidance early: learned from the review instead of the fixture.
        reviewed.append(review(tinyCorpus[5], ["guidance"], id: 11, minutes: -5))
        // t:8 is a fixture test post: its review is held out, never learned.
        reviewed.append(review(tinyCorpus[7], ["guidance"], id: 12, minutes: -4))
        let plan = RetrainingPlan(fixtureTrain: fixtureTrain, fixtureTest: fixtureTest, reviewed: reviewed, holdoutShare: 0.2, fixtureFiles: ["f"])
        // 12 reviews, 20% → 3 newest held out: r:7, r:8, r:9.
        #expect(plan.reviewedHeldOut == 3)
        #expect(Set(plan.heldOut.map(\.id)) == ["t:8", "t:9", "r:7", "r:8", "r:9"])
        #expect(plan.heldOut.first { $0.id == "t:8" }?.labels == ["guidance"], "the reviewed label replaces the fixture's")
        let trained = Set(plan.training.map(\.id))
        #expect(trained.isDisjoint(with: plan.heldOut.map(\.id)))
        #expect(trained.contains("r:0") && !trained.contains("r:9"))
        #expect(plan.training.filter { $0.id == "t:6" }.map(\.labels) == [["guidance"]])
        #expect(plan.fixtureTraining == 6 && plan.reviewedTraining == 8 && plan.overriddenFixtures == 1)
        #expect(plan.manifest.lastLabelID == 12)
        #expect(plan.manifest.fixtureExcluded == ["t:6"])
    }

    @Test("guards name the flag and the numbers")
    func guards() {
        let few = TrainingGuards(minPositives: 3).problems(in: tinyCorpus, flags: ["guidance", "contact", "spam"])
        #expect(few == [
            "flag 'spam' has 0 positive posts among 9 training posts; at least 3 are needed (--min-positives)"
        ])
        var skewed = (0..<199).map { Post(id: "b:\($0)", description: "nothing \($0)", labels: []) }
        skewed.append(Post(id: "g:1", description: "route", labels: ["guidance"]))
        let extreme = TrainingGuards(minPositives: 1, minShare: 0.01).problems(in: skewed, flags: ["guidance"])
        #expect(extreme == [
            "flag 'guidance' is on 1 of 200 training posts (0.5%): the class balance is extreme (allowed 1%–99%, --min-share)"
        ])
        #expect(TrainingGuards(minPositives: 2).problems(in: tinyCorpus, flags: ["guidance", "contact"]).isEmpty)
    }

    @Test("gates: macro-F1 within the tolerance and every precision at its floor")
    func gates() {
        let model = train(tinyCorpus)
        let good = model.evaluate(model.scoredExamples(tinyCorpus))
        var worse = good
        worse.macroF1 -= 0.05
        let gates = PromotionGates(tolerance: 0.01, precisionFloors: ["contact": 1.01, "guidance": 0])
        let checks = gates.checks(candidate: worse, current: good)
        #expect(checks.map(\.passed) == [false, true, false])
        #expect(checks[0].text.contains("drop 0.050; allowed drop 0.010"))
        #expect(checks[2].text.hasPrefix("contact precision ") && checks[2].text.hasSuffix("(floor 1.010)"))
        let same = PromotionGates(defaultFloor: 0).checks(candidate: good, current: good)
        #expect(same.allSatisfy { $0.passed })
    }

    @Test("an incremental refresh has the counts, vocabulary and scores of a full rebuild")
    func incrementalEqualsRebuild() throws {
        let configuration = NaiveBayesModel.Configuration(alpha: 0.3)
        let r1 = Post(id: "r:1", description: "cross the desert at night with the guide", labels: nil)
        let r2 = Post(id: "r:2", description: "kayak club meets at the river tonight", labels: nil)
        let r3 = Post(id: "r:3", description: "whatsapp for the trip price 7000", labels: nil)
        let before = [
            review(r1, ["guidance"], id: 1, minutes: 1), review(r2, ["guidance"], id: 2, minutes: 2),
            review(tinyCorpus[6], ["contact"], id: 3, minutes: 3),
        ]
        let plan1 = RetrainingPlan(fixtureTrain: fixtureTrain, fixtureTest: fixtureTest, reviewed: before, holdoutShare: 0, fixtureFiles: ["f"])
        let model1 = train(plan1.training, configuration: configuration)
        // r:2 corrected to benign, t:7's review withdrawn in favour of benign, r:3 new, r:1 unchanged.
        let after = [
            before[0], review(r2, [], id: 4, minutes: 4), review(tinyCorpus[6], [], id: 5, minutes: 5),
            review(r3, ["contact"], id: 6, minutes: 6),
        ]
        let plan2 = RetrainingPlan(fixtureTrain: fixtureTrain, fixtureTest: fixtureTest, reviewed: after, holdoutShare: 0, fixtureFiles: ["f"])
        let refresh = try IncrementalRefresh(
            model: model1, old: plan1.manifest, plan: plan2, fixtureTrain: fixtureTrain,
            reviewed: Dictionary(uniqueKeysWithValues: after.map { ($0.post.id, $0) }))
        let rebuilt = train(plan2.training, configuration: configuration)
        #expect(refresh.relabelled == 2 && refresh.learned == 1 && refresh.unlearned == 0)
        #expect(refresh.model.countsByToken() == rebuilt.countsByToken())
        #expect(refresh.model.documentCount == rebuilt.documentCount)
        #expect(refresh.model.flagDocumentCounts == rebuilt.flagDocumentCounts)
        #expect(refresh.model.vocabulary.count == rebuilt.vocabulary.count, "un-learned features are dropped")
        var e = FeatureExtractor(configuration: configuration.features)
        let q = Post(id: "q", description: "kayak at night, whatsapp the guide")
        for (a, b) in zip(Scorer(refresh.model).logOdds(q, extractor: &e), Scorer(rebuilt).logOdds(q, extractor: &e)) {
            #expect(abs(a - b) < 1e-9)
        }
    }

    @Test("a refresh refuses when a learned post's content changed, and when the fixtures changed")
    func refreshNeedsRebuild() throws {
        let r1 = Post(id: "r:1", description: "cross the desert at night", labels: nil)
        let plan1 = RetrainingPlan(
            fixtureTrain: fixtureTrain, fixtureTest: [], reviewed: [review(r1, ["guidance"], id: 1, minutes: 1)], holdoutShare: 0, fixtureFiles: ["f"])
        let model = train(plan1.training)
        let edited = review(Post(id: "r:1", description: "edited text"), ["guidance"], id: 1, minutes: 1)
        let plan2 = RetrainingPlan(fixtureTrain: fixtureTrain, fixtureTest: [], reviewed: [edited], holdoutShare: 0, fixtureFiles: ["f"])
        #expect(throws: IncrementalRefresh.NeedsRebuild.self) {
            _ = try IncrementalRefresh(model: model, old: plan1.manifest, plan: plan2, fixtureTrain: fixtureTrain, reviewed: ["r:1": edited])
        }
        let otherFixtures = RetrainingPlan(fixtureTrain: Array(fixtureTrain.dropLast()), fixtureTest: [], reviewed: [], holdoutShare: 0, fixtureFiles: ["f"])
        do {
            _ = try IncrementalRefresh(model: model, old: plan1.manifest, plan: otherFixtures, fixtureTrain: fixtureTrain, reviewed: [:])
            Issue.record("expected NeedsRebuild")
        } catch {
            #expect(error.reason.hasPrefix("the fixture training data differs"))
        }
    }
}

@Suite("Model registry")
struct ModelRegistryTests {
    func bundled() throws -> String {
        let dir = try TestSupport.temporaryDirectory()
        let model = train(tinyCorpus)
        try ModelFile.write(model, to: dir + "/model.swnb")
        try ModelCard(name: "default", version: 1, model: model, files: ["tiny"], summary: .init(), heldOut: nil).write(to: dir + "/card.json")
        return dir
    }

    @Test("seeded once as name@1; saved versions number on; promote and rollback walk a stack")
    func promoteAndRollback() throws {
        let registry = ModelRegistry(root: try TestSupport.temporaryDirectory() + "/models")
        let v1 = try #require(try registry.seedIfEmpty(from: try bundled(), actor: "t"))
        #expect(v1.description == "default@1")
        #expect(try registry.seedIfEmpty(from: try bundled(), actor: "t") == nil)
        let card = try #require(registry.card(for: v1))
        let model = train(tinyCorpus)
        let v2 = try registry.save(model, card: card, manifest: nil, actor: "t")
        let v3 = try registry.save(model, card: card, manifest: nil, actor: "t")
        #expect(v2.number == 2 && v3.number == 3)
        #expect(registry.card(for: v3)?.version == 3)
        #expect(try registry.state().current == v1, "saving does not promote")
        try registry.promote(v2, actor: "t")
        try registry.promote(v3, actor: "t")
        #expect(try registry.currentFolder() == registry.folder(for: v3))
        let back1 = try registry.rollback(actor: "t")
        #expect(back1.from == v3 && back1.to == v2)
        let back2 = try registry.rollback(actor: "t")
        #expect(back2.from == v2 && back2.to == v1)
        #expect(throws: RegistryError.self) { try registry.rollback(actor: "t") }
        #expect(try registry.state().current == v1)
        #expect(try registry.history().map(\.action) == ["seed", "save", "save", "promote", "promote", "rollback", "rollback"])
        #expect(throws: RegistryError.self) { try registry.promote(ModelVersion(name: "default", number: 9), actor: "t") }
        // The pointer is replaced by rename: no temporary file is left behind.
        let files = try FileManager.default.contentsOfDirectory(atPath: registry.root)
        #expect(!files.contains { $0.contains(".tmp-") || $0.hasPrefix(".incoming-") })
    }

    @Test("concurrent saves take turns: every version gets its own number")
    func concurrentSaves() throws {
        let registry = ModelRegistry(root: try TestSupport.temporaryDirectory() + "/models")
        try registry.seedIfEmpty(from: try bundled(), actor: "t")
        let card = try #require(registry.card(for: ModelVersion(name: "default", number: 1)))
        let model = train(tinyCorpus)
        let lock = NSLock()
        nonisolated(unsafe) var numbers: [Int] = []
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if let v = try? registry.save(model, card: card, manifest: nil, actor: "t") { lock.withLock { numbers.append(v.number) } }
        }
        #expect(numbers.sorted() == Array(2...9))
        #expect(try registry.versions().count == 9)
    }

    @Test("a damaged pointer is reported with its path")
    func damagedPointer() throws {
        let root = try TestSupport.temporaryDirectory()
        try "{not json".write(toFile: root + "/current.json", atomically: true, encoding: .utf8)
        do {
            _ = try ModelRegistry(root: root).state()
            Issue.record("expected RegistryError")
        } catch {
            #expect(error.message.contains("\(root)/current.json' is damaged"))
        }
        #expect(ModelVersion("default@3") == ModelVersion(name: "default", number: 3))
        #expect(ModelVersion("default") == nil && ModelVersion("default@0") == nil && ModelVersion("../x@1") == nil)
    }
}
