import Foundation
import Features

/// The human-readable description written beside a model file (`card.json`): what the model
/// flags, how it was trained, on what, and how well it did on data it did not learn from.
public struct ModelCard: Codable, Sendable {
    public struct FlagCard: Codable, Sendable {
        public var positives: Int
        /// Thresholds as probabilities (rounded) and as the log-odds the model compares with.
        public var flagAtProbability: Double
        public var clearBelowProbability: Double
        public var flagAtLogOdds: Double
        public var clearBelowLogOdds: Double
    }

    public struct Metrics: Codable, Sendable {
        public var source: String
        public var posts: Int
        public var macroF1: Double
        public var precision: [String: Double]
        public var recall: [String: Double]
        public var f1: [String: Double]
        public var averagePrecision: [String: Double]
        public var hardNegativesFlagged: Double?

        public init(source: String, report: EvaluationReport) {
            self.source = source
            posts = report.examples
            macroF1 = Self.round(report.macroF1)
            precision = Dictionary(uniqueKeysWithValues: report.flags.map { ($0.flag, Self.round($0.precision)) })
            recall = Dictionary(uniqueKeysWithValues: report.flags.map { ($0.flag, Self.round($0.recall)) })
            f1 = Dictionary(uniqueKeysWithValues: report.flags.map { ($0.flag, Self.round($0.f1)) })
            averagePrecision = Dictionary(uniqueKeysWithValues: report.flags.map { ($0.flag, Self.round($0.averagePrecision)) })
            hardNegativesFlagged = report.hardNegativeFlagRate.map(Self.round)
        }

        static func round(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
    }

    public var name: String
    /// Bumped by each retraining that is promoted: predictions record `name@version`.
    public var version: Int
    public var formatVersion: Int
    public var flags: [String]
    public var kind: String
    public var alpha: Double
    public var fitPrior: Bool
    public var fieldWeights: [String: Double]
    public var vocabularySize: Int
    public var trainingPosts: Int
    public var trainingFiles: [String]
    public var trainingDataHash: String
    public var perFlag: [String: FlagCard]
    public var crossValidation: Metrics?
    public var heldOut: Metrics?
    public var created: String
    /// Retrained models: the newest store label when the model was built (a later
    /// `retrain --incremental` learns the labels after it), and how many reviewed posts it learned.
    public var lastLabelID: Int64?
    public var lastLabelAt: String?
    public var reviewedPosts: Int?
    /// Set by `retrain --incremental`: the version whose counts were refreshed.
    public var refreshedFrom: String?

    public init(
        name: String, version: Int = 1, model: NaiveBayesModel, files: [String], summary: Training.Summary, heldOut: Metrics?
    ) {
        self.name = name
        self.version = version
        formatVersion = Int(ModelFile.formatVersion)
        flags = model.flags
        kind = model.configuration.kind.rawValue
        alpha = model.configuration.alpha
        fitPrior = model.configuration.fitPrior
        let w = model.configuration.features
        fieldWeights = [
            "title": w.titleWeight, "description": w.descriptionWeight, "hashtags": w.hashtagWeight, "captions": w.captionWeight,
        ]
        vocabularySize = model.vocabulary.count
        trainingPosts = summary.posts
        trainingFiles = files
        trainingDataHash = summary.dataHash
        var perFlag: [String: FlagCard] = [:]
        for (f, flag) in model.flags.enumerated() {
            let t = model.thresholds(for: flag)
            perFlag[flag] = FlagCard(
                positives: Int(model.flagDocumentCounts[f]),
                flagAtProbability: Metrics.round(Scorer.probability(logOdds: t.flagLogOdds)),
                clearBelowProbability: Metrics.round(Scorer.probability(logOdds: t.clearLogOdds)),
                flagAtLogOdds: Metrics.round(t.flagLogOdds), clearBelowLogOdds: Metrics.round(t.clearLogOdds))
        }
        self.perFlag = perFlag
        crossValidation = summary.crossValidation.map { Metrics(source: "5-fold cross-validation on the training files", report: $0) }
        self.heldOut = heldOut
        created = ISO8601DateFormatter().string(from: Date())
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(_ path: String) throws -> ModelCard {
        try JSONDecoder().decode(ModelCard.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
