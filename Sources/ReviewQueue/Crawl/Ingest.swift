public import Foundation
public import Posts

/// One fetched post for ``ReviewQueueStore/ingest(_:actor:)``: the post, where its bytes came
/// from, the current model's verdict, and whether that verdict asks for review.
public struct IngestItem: Sendable {
    public var post: Post
    public var rawSHA256: String?
    public var fetchedAt: Date?
    public var sourceURL: String?
    /// The crawl source that yielded the post: its id goes into the seen-ids archive with this
    /// name (the first source to see an id keeps it). Nil for imports.
    public var source: String?
    /// Recorded only when the post is new or its content changed; nil when the caller saw the
    /// post unchanged in the store (and so did not classify it).
    public var prediction: Prediction?
    /// Queued (unless the post already has an open item) only when the post is new or changed.
    public var routing: ReviewPriority.Routing?

    public init(
        post: Post, rawSHA256: String? = nil, fetchedAt: Date? = nil, sourceURL: String? = nil, source: String? = nil,
        prediction: Prediction?, routing: ReviewPriority.Routing?
    ) {
        self.post = post
        self.rawSHA256 = rawSHA256
        self.fetchedAt = fetchedAt
        self.sourceURL = sourceURL
        self.source = source
        self.prediction = prediction
        self.routing = routing
    }
}

/// What ``ReviewQueueStore/ingest(_:actor:)`` did with one item.
public struct IngestOutcome: Sendable, Hashable {
    public var upsert: PostUpsertResult
    /// Whether a new queue item was opened.
    public var queued: Bool

    public init(upsert: PostUpsertResult, queued: Bool) {
        self.upsert = upsert
        self.queued = queued
    }
}

extension ReviewQueueError {
    static func changedMeanwhile(_ postID: String) -> ReviewQueueError {
        ReviewQueueError(
            .changedMeanwhile,
            "Post '\(postID)' came without a prediction as unchanged, but it is new or changed in the store (another worker wrote it meanwhile). Classify the batch and store it again.")
    }
}

extension ReviewQueueStore {
    /// The default for other conformers: one ``post(id:)`` per id.
    public func contentHashes(of ids: [String]) async throws -> [String: String] {
        var out: [String: String] = [:]
        for id in ids { if let stored = try await post(id: id) { out[id] = stored.contentHash } }
        return out
    }

    /// The default for other conformers: ``ingestStepByStep(_:actor:)``.
    public func ingest(_ items: [IngestItem], actor: String) async throws -> [IngestOutcome] {
        try await ingestStepByStep(items, actor: actor)
    }

    /// The non-atomic fallback: one transaction per step. Both shipped backends override it with
    /// one transaction for the whole batch.
    public func ingestStepByStep(_ items: [IngestItem], actor: String) async throws -> [IngestOutcome] {
        var outcomes: [IngestOutcome] = []
        outcomes.reserveCapacity(items.count)
        for item in items {
            if let source = item.source { _ = try await markSeen([item.post.id], source: source) }
            let result = try await upsertPost(
                item.post, rawSHA256: item.rawSHA256, fetchedAt: item.fetchedAt, sourceURL: item.sourceURL, actor: actor)
            var queued = false
            if result != .unchanged {
                guard let prediction = item.prediction else { throw ReviewQueueError.changedMeanwhile(item.post.id) }
                try await recordPrediction(prediction, actor: actor)
                if let routing = item.routing {
                    queued = try await enqueue(postID: item.post.id, priority: routing.priority, reason: routing.reason, actor: actor) != nil
                }
            }
            outcomes.append(IngestOutcome(upsert: result, queued: queued))
        }
        return outcomes
    }
}
