import Bayes
import Features
import Foundation
import Posts
import ReviewQueue

/// The route from a post to a reviewer: store it; when it is new or its content changed,
/// classify it with the current model, record the prediction with its evidence, and queue it
/// when a flag is `flag` or `unsure` (or as a random sample of clear posts). Unchanged posts,
/// labelled or not, are left alone, so re-importing the same data queues nothing twice.
struct PostRouter {
    struct Stats {
        var read = 0
        var new = 0
        var changed = 0
        var unchanged = 0
        var flagged = 0
        var queued = 0

        var summary: String {
            "read \(read): new \(new), changed \(changed), unchanged \(unchanged); flagged \(flagged), queued \(queued)"
        }
    }

    let store: any ReviewQueueStore
    let model: NaiveBayesModel
    let modelLabel: String
    let scorer: Scorer
    var extractor: FeatureExtractor
    let priority: ReviewPriority
    var stats = Stats()

    init(store: any ReviewQueueStore, model: NaiveBayesModel, modelLabel: String, clearSampleRate: Double) {
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

    mutating func route(_ post: Post, actor: String) async throws {
        stats.read += 1
        switch try await store.upsertPost(post, rawSHA256: nil, fetchedAt: nil, sourceURL: post.url, actor: actor) {
        case .unchanged:
            stats.unchanged += 1
            return
        case .inserted: stats.new += 1
        case .changed: stats.changed += 1
        }
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
        try await store.recordPrediction(prediction, actor: actor)
        if score.decisions.contains(.flag) { stats.flagged += 1 }
        if let routing = priority.routing(for: prediction),
            try await store.enqueue(postID: post.id, priority: routing.priority, reason: routing.reason, actor: actor) != nil
        {
            stats.queued += 1
        }
    }
}
