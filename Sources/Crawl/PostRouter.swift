public import Bayes
import Features
public import Foundation
public import Posts
public import ReviewQueue

/// The route from a post to a reviewer: classify it with the current model, then store it; when it
/// is new or its content changed, record the prediction with its evidence and queue it when a flag
/// is `flag` or `unsure` (or as a random sample of clear posts). Unchanged posts, labelled or not,
/// are left alone, so fetching or importing the same data again queues nothing twice.
///
/// Each batch is one store transaction (``ReviewQueueStore/ingest(_:actor:)``): a crash leaves a
/// post either stored with its prediction and queue item, or not stored at all.
///
/// ```swift
/// var router = PostRouter(store: store, model: model, modelLabel: "default@1", clearSampleRate: 0.02)
/// try await router.route(posts, actor: "import")
/// print(router.stats.summary)
/// ```
public struct PostRouter {
    public struct Stats: Sendable, Hashable {
        public var read = 0
        public var new = 0
        public var changed = 0
        public var unchanged = 0
        public var flagged = 0
        public var queued = 0

        public init() {}

        public var summary: String {
            "read \(read): new \(new), changed \(changed), unchanged \(unchanged); flagged \(flagged), queued \(queued)"
        }

        public static func += (a: inout Stats, b: Stats) {
            a.read += b.read
            a.new += b.new
            a.changed += b.changed
            a.unchanged += b.unchanged
            a.flagged += b.flagged
            a.queued += b.queued
        }
    }

    /// Where a batch's bytes came from (stored with each post as fetch evidence).
    public struct Provenance: Sendable {
        public var rawSHA256: String?
        public var fetchedAt: Date?
        public var sourceURL: String?
        /// The crawl source's name, archived with each post id it yields (seen ids).
        public var source: String?

        public init(rawSHA256: String? = nil, fetchedAt: Date? = nil, sourceURL: String? = nil, source: String? = nil) {
            self.rawSHA256 = rawSHA256
            self.fetchedAt = fetchedAt
            self.sourceURL = sourceURL
            self.source = source
        }
    }

    public let store: any ReviewQueueStore
    public let model: NaiveBayesModel
    public let modelLabel: String
    let scorer: Scorer
    var extractor: FeatureExtractor
    let priority: ReviewPriority
    public private(set) var stats = Stats()
    /// Posts classified so far (new or changed ones; unchanged posts are not classified again).
    public private(set) var classified = 0

    public init(store: any ReviewQueueStore, model: NaiveBayesModel, modelLabel: String, clearSampleRate: Double) {
        self.store = store
        self.model = model
        self.modelLabel = modelLabel
        scorer = Scorer(model)
        extractor = FeatureExtractor(configuration: model.configuration.features)
        // The store compares probabilities with the flag thresholds (stored as log-odds).
        var thresholds: [String: Double] = [:]
        for flag in model.flags { thresholds[flag] = Scorer.probability(logOdds: model.thresholds(for: flag).flagLogOdds) }
        priority = ReviewPriority(.init(thresholds: thresholds, clearSampleRate: clearSampleRate))
    }

    /// The model's prediction (with evidence) for one post and whether it asks for review.
    public mutating func classify(_ post: Post) -> (prediction: Prediction, routing: ReviewPriority.Routing?, flagged: Bool) {
        let score = scorer.explain(post, model: model, extractor: &extractor)
        var scores: [String: Double] = [:]
        var decisions: [String: FlagDecision] = [:]
        for (f, flag) in model.flags.enumerated() {
            scores[flag] = Scorer.probability(logOdds: score.logOdds[f])
            decisions[flag] = FlagDecision(rawValue: score.decisions[f].rawValue)
        }
        var w = JSONWriter()
        w.beginArray()
        for e in score.evidence { e.write(to: &w) }
        w.endArray()
        let prediction = Prediction(
            postID: post.id, modelVersion: modelLabel, scores: scores, decisions: decisions,
            evidenceJSON: String(decoding: w.bytes, as: UTF8.self), createdAt: Date())
        return (prediction, priority.routing(for: prediction), score.decisions.contains(.flag))
    }

    /// Classifies and stores a batch in one transaction; returns this batch's counts (also added
    /// to ``stats``). Posts whose content the store already has are not classified again.
    @discardableResult
    public mutating func route(_ posts: [Post], provenance: Provenance? = nil, actor: String) async throws -> Stats {
        let stored = try await store.contentHashes(of: posts.map(\.id))
        var outcomes: [IngestOutcome]
        var flagged: [Bool]
        do {
            (outcomes, flagged) = try await ingest(posts, provenance: provenance, actor: actor) { stored[$0.id] != $0.contentHash }
        } catch let error as ReviewQueueError where error.code == .changedMeanwhile {
            // Another worker stored one of them between the look-up and the write: classify all.
            (outcomes, flagged) = try await ingest(posts, provenance: provenance, actor: actor) { _ in true }
        }
        var batch = Stats()
        for (k, outcome) in outcomes.enumerated() {
            batch.read += 1
            switch outcome.upsert {
            case .unchanged:
                batch.unchanged += 1
                continue
            case .inserted: batch.new += 1
            case .changed: batch.changed += 1
            }
            if flagged[k] { batch.flagged += 1 }
            if outcome.queued { batch.queued += 1 }
        }
        stats += batch
        return batch
    }

    /// One ``ReviewQueueStore/ingest(_:actor:)`` call; posts for which `needsPrediction` is false
    /// go without one.
    private mutating func ingest(
        _ posts: [Post], provenance: Provenance?, actor: String, needsPrediction: (Post) -> Bool
    ) async throws -> ([IngestOutcome], [Bool]) {
        var items: [IngestItem] = []
        var flagged: [Bool] = []
        items.reserveCapacity(posts.count)
        for post in posts {
            var prediction: Prediction?
            var routing: ReviewPriority.Routing?
            var isFlagged = false
            if needsPrediction(post) {
                (prediction, routing, isFlagged) = classify(post)
                classified += 1
            }
            items.append(
                IngestItem(
                    post: post, rawSHA256: provenance?.rawSHA256, fetchedAt: provenance?.fetchedAt,
                    sourceURL: post.url ?? provenance?.sourceURL, source: provenance?.source, prediction: prediction, routing: routing))
            flagged.append(isFlagged)
        }
        return (try await store.ingest(items, actor: actor), flagged)
    }

    /// One post (its own transaction).
    public mutating func route(_ post: Post, actor: String) async throws {
        try await route([post], actor: actor)
    }
}
