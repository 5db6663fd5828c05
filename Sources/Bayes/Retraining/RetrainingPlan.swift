public import Foundation
public import Posts

/// A reviewed post with its current (latest) label, as retraining sees it: the store's record,
/// without the store.
public struct ReviewedExample: Sendable {
    /// The stored post, with `labels` set to the label's flags (`[]` for benign).
    public var post: Post
    public var labelID: Int64
    public var labelledAt: Date
    /// The store's content hash of the post: un-learning needs the content that was learned.
    public var contentHash: String

    public init(post: Post, flags: [String], labelID: Int64, labelledAt: Date, contentHash: String) {
        var post = post
        post.labels = flags
        self.post = post
        self.labelID = labelID
        self.labelledAt = labelledAt
        self.contentHash = contentHash
    }
}

/// What a candidate learns and what it is measured on.
///
/// - Training: the fixture train split, where a reviewed post replaces a fixture post with the
///   same id, plus the reviewed posts outside the held-out slice.
/// - Held out (never learned): the fixture test split (with the reviewed label when a test post
///   was reviewed) plus the newest `holdoutShare` of reviewed labels by label time.
///
/// ```swift
/// let plan = RetrainingPlan(fixtureTrain: train, fixtureTest: test, reviewed: reviewed, holdoutShare: 0.2,
///                           fixtureFiles: ["Fixtures/corpus/train.jsonl"])
/// let (candidate, summary) = try training.train(posts: plan.training, describe: "retraining data")
/// ```
public struct RetrainingPlan: Sendable {
    public var training: [Post]
    public var heldOut: [Post]
    /// What was learned, saved beside the model so a later refresh can un-learn it.
    public var manifest: TrainingManifest
    public var fixtureTraining = 0
    public var reviewedTraining = 0
    /// Fixture train posts replaced by a reviewed label (learned from the review or held out).
    public var overriddenFixtures = 0
    public var fixtureHeldOut = 0
    public var reviewedHeldOut = 0

    public init(
        fixtureTrain: [Post], fixtureTest: [Post], reviewed: [ReviewedExample], holdoutShare: Double, fixtureFiles: [String]
    ) {
        let newestLast = reviewed.sorted { ($0.labelledAt, $0.labelID) < ($1.labelledAt, $1.labelID) }
        let held = holdoutShare <= 0 ? 0 : Int((Double(newestLast.count) * min(holdoutShare, 1)).rounded(.up))
        let testIDs = Set(fixtureTest.map(\.id))
        let reviewedByID = Dictionary(reviewed.map { ($0.post.id, $0) }) { a, _ in a }
        let learnedReviews = newestLast.prefix(newestLast.count - held).filter { !testIDs.contains($0.post.id) }
        let heldReviews = newestLast.suffix(held).filter { !testIDs.contains($0.post.id) }

        var training: [Post] = []
        var hasher = Training.DataHasher()
        var excluded: [String] = []
        for post in fixtureTrain where post.labels != nil {
            hasher.add(id: post.id, labels: post.labels!)
            if reviewedByID[post.id] != nil {
                excluded.append(post.id)
            } else {
                training.append(post)
            }
        }
        fixtureTraining = training.count
        overriddenFixtures = excluded.count
        training.append(contentsOf: learnedReviews.map(\.post))
        reviewedTraining = learnedReviews.count

        var heldOut: [Post] = []
        for post in fixtureTest where post.labels != nil || reviewedByID[post.id] != nil {
            heldOut.append(reviewedByID[post.id]?.post ?? post)
        }
        fixtureHeldOut = heldOut.count
        heldOut.append(contentsOf: heldReviews.map(\.post))
        reviewedHeldOut = heldReviews.count

        self.training = training
        self.heldOut = heldOut
        manifest = TrainingManifest(
            fixtureFiles: fixtureFiles, fixtureDataHash: hasher.value, fixtureExcluded: excluded,
            reviewed: learnedReviews.map {
                TrainingManifest.Entry(id: $0.post.id, label: $0.labelID, flags: $0.post.labels ?? [], contentHash: $0.contentHash)
            },
            lastLabelID: reviewed.map(\.labelID).max(), lastLabelAt: newestLast.last?.labelledAt,
            heldOutReviewed: heldReviews.count)
    }
}

/// What a model learned beyond its configuration: the fixture files and the reviewed labels.
/// Saved as `training.json` beside `model.swnb` in the registry.
public struct TrainingManifest: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        /// The store's label id (labels are append-only, so the id names one decision).
        public var label: Int64
        public var flags: [String]
        public var contentHash: String
    }

    public static let fileName = "training.json"

    public var fixtureFiles: [String]
    /// The training data hash of the fixture train posts (ids and labels, in file order).
    public var fixtureDataHash: String
    /// Fixture train posts not learned from the fixture, because a review replaced them.
    public var fixtureExcluded: [String]
    /// Reviewed posts learned, with the label they were learned with.
    public var reviewed: [Entry]
    /// The newest label in the store when the model was built.
    public var lastLabelID: Int64?
    public var lastLabelAt: Date?
    public var heldOutReviewed: Int

    /// The manifest of a model trained on fixture files alone (the bundled model).
    public static func fixturesOnly(files: [String], dataHash: String) -> TrainingManifest {
        TrainingManifest(
            fixtureFiles: files, fixtureDataHash: dataHash, fixtureExcluded: [], reviewed: [], lastLabelID: nil, lastLabelAt: nil,
            heldOutReviewed: 0)
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(_ path: String) throws -> TrainingManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(TrainingManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
