public import Foundation
public import Posts

/// Where posts, predictions, review items, labels, the audit log and crawl state live.
///
/// Two backends pass one contract test suite: ``SQLiteReviewQueueStore`` (the embedded default, one
/// file) and ``PostgresReviewQueueStore`` (many workers and reviewers on many machines). Open one
/// with ``ReviewQueueStoreFactory/open(url:clock:)`` (`ReviewQueueStore.open(url:)`).
///
/// Every method is one transaction: it either happens completely or not at all.
public protocol ReviewQueueStore: Sendable {
    /// The database file path, or the PostgreSQL URL without its password.
    var location: String { get }

    // MARK: Posts

    /// Stores the latest version of a post. The content hash decides whether it changed.
    @discardableResult
    func upsertPost(
        _ post: Post, rawSHA256: String?, fetchedAt: Date?, sourceURL: String?, actor: String
    ) async throws -> PostUpsertResult

    func post(id: String) async throws -> StoredPost?

    /// The stored content hash (``Posts/Post/contentHash``) of each of `ids` the store has; the
    /// crawl skips classifying posts whose hash is unchanged.
    func contentHashes(of ids: [String]) async throws -> [String: String]

    // MARK: Predictions and models

    /// Records one model's verdict on a stored post and registers the model's flags.
    /// Throws ``ReviewQueueError/Code/unknownPost`` when the post is not stored.
    func recordPrediction(_ prediction: Prediction, actor: String) async throws

    /// A post's predictions, newest first.
    func predictions(for postID: String) async throws -> [Prediction]

    /// Registers a model version and its flags (also done by ``recordPrediction(_:actor:)``).
    func registerModel(version: String, flags: [String]) async throws

    /// The flags of every model registered in the store, sorted. Empty when no model is known, in
    /// which case labels may use any flag name.
    func knownFlags() async throws -> [String]

    // MARK: Review queue

    /// Queues a stored post for review. Returns `nil` when the post already has an open
    /// (pending or claimed) item: a post is never queued twice at once.
    @discardableResult
    func enqueue(postID: String, priority: Double, reason: String, actor: String) async throws -> ReviewItem?

    /// Hands `reviewer` the highest-priority item that is pending or whose lease ran out, and
    /// leases it for `lease`. Returns `nil` when nothing is claimable. Concurrent callers, in any
    /// number of processes, never get the same item while its lease runs.
    func claimNext(for reviewer: String, lease: Duration) async throws -> ReviewItem?

    /// Gives a claimed item back to the queue (skip). Throws ``ReviewQueueError/Code/notClaimed``
    /// when `reviewer` does not hold it.
    func release(itemID: Int64, by reviewer: String) async throws

    /// Items in one state (`nil`: all), highest priority first.
    func items(in state: String?, limit: Int) async throws -> [ReviewItem]

    func stats() async throws -> QueueStats

    // MARK: Labels

    /// Appends a label for a stored post and marks its open queue item decided.
    ///
    /// Throws ``ReviewQueueError/Code/unknownPost`` for an unknown id and
    /// ``ReviewQueueError/Code/unknownFlag`` when the store knows the model flags and `flags` has
    /// another name.
    @discardableResult
    func addLabel(postID: String, flags: [String], reviewer: String, note: String?) async throws -> Label

    /// A post's labels, oldest first; the last one is the current label.
    func labels(for postID: String) async throws -> [Label]

    /// Posts with their current label, ordered by post id, starting after `afterID`.
    func labelledPosts(after afterID: String?, limit: Int) async throws -> [LabelledPost]

    // MARK: Audit

    /// The newest audit entries first, optionally for one post.
    func auditLog(postID: String?, limit: Int) async throws -> [AuditEntry]

    // MARK: Crawl state

    /// Leases a source to `owner` for `lease` (creating its state on first use). Returns `nil`
    /// while another owner's lease runs. The same owner may renew its own lease.
    func acquireSource(_ source: String, owner: String, lease: Duration) async throws -> CrawlState?

    /// Saves a source's cursor, validators, schedule and failure count. `owner` must hold the
    /// lease (``ReviewQueueError/Code/notClaimed`` otherwise); `release` ends the lease.
    func saveCrawlState(_ state: CrawlState, owner: String, release: Bool) async throws

    func crawlStates() async throws -> [CrawlState]

    // MARK: Crawl ingest

    /// Stores a batch of fetched posts in one transaction: each post is upserted; a new or changed
    /// post gets its prediction recorded and, when `routing` is set, a queue item (unless one is
    /// open). An unchanged post gets neither, so a labelled post is queued again only when its
    /// content changed. A crash leaves either the whole batch or none of it.
    ///
    /// An item may come without a prediction when its post was unchanged a moment ago; if it is new
    /// or changed after all, the whole batch is refused with ``ReviewQueueError/Code/changedMeanwhile``.
    func ingest(_ items: [IngestItem], actor: String) async throws -> [IngestOutcome]

    // MARK: Seen ids

    /// Archives ids the crawl has seen. Returns those that were new, in input order.
    func markSeen(_ ids: [String], source: String) async throws -> [String]

    /// The source that first saw `id` (the crawl archives every id it fetches), nil if none did.
    func seenSource(of id: String) async throws -> String?

    /// Closes connections. The store must not be used afterwards.
    func close() async

    // MARK: Review sessions: skip, undo and shared contacts

    /// ``claimNext(for:lease:)`` passing over the items in `itemIDs` (the ones the reviewer
    /// skipped in this session, which went back to the queue for others).
    func claimNext(for reviewer: String, lease: Duration, excluding itemIDs: [Int64]) async throws -> ReviewItem?

    /// A review decision and the reviewer's next claim: ``addLabel(postID:flags:reviewer:note:)``
    /// then ``claimNext(for:lease:excluding:)``, with the same rules. SQLite does both in one
    /// transaction; the default (PostgreSQL) makes the two calls. In one PostgreSQL statement the
    /// decision's row lock and the claim's row locks deadlocked with another reviewer's now and
    /// then (rows a claim locks from an old snapshot stay locked), so it keeps them apart.
    func addLabelAndClaimNext(
        postID: String, flags: [String], reviewer: String, note: String?, lease: Duration, excluding itemIDs: [Int64]
    ) async throws -> LabelAndNext

    /// Undoes a review decision: appends an undo record for label `id` (labels stay
    /// append-only), so the post's current label becomes the one before it, or none. The post's
    /// queue item is re-opened and claimed by `reviewer` for `lease`, so the decision can be made
    /// again. Both steps are audited (`label.undo`, `queue.reopen`).
    ///
    /// Throws ``ReviewQueueError/Code/invalidLabel`` when the label does not exist, was already
    /// undone, is not the post's current label, or was made by another reviewer.
    func undoLabel(id: Int64, by reviewer: String, lease: Duration) async throws -> LabelUndo

    /// The contact identifiers of a post's latest prediction (indexed by
    /// ``recordPrediction(_:actor:)`` from its evidence), sorted.
    func contacts(for postID: String) async throws -> [ContactIdentifier]

    /// Other posts whose latest prediction shares a contact identifier with `postID`'s, ordered by
    /// post id, at most `limit` posts.
    func postsSharingContacts(postID: String, limit: Int) async throws -> [SharedContactPost]
}

extension ReviewQueueStore {
    /// The default review lease: 15 minutes.
    public static var defaultLease: Duration { .seconds(15 * 60) }

    public func claimNext(for reviewer: String) async throws -> ReviewItem? {
        try await claimNext(for: reviewer, lease: .seconds(15 * 60))
    }

    @discardableResult
    public func upsertPost(_ post: Post, actor: String = "system") async throws -> PostUpsertResult {
        try await upsertPost(post, rawSHA256: nil, fetchedAt: nil, sourceURL: post.url, actor: actor)
    }

    @discardableResult
    public func enqueue(_ postID: String, priority: Double, reason: String = "manual") async throws -> ReviewItem? {
        try await enqueue(postID: postID, priority: priority, reason: reason, actor: "system")
    }

    public func addLabelAndClaimNext(
        postID: String, flags: [String], reviewer: String, note: String?, lease: Duration, excluding itemIDs: [Int64]
    ) async throws -> LabelAndNext {
        let label = try await addLabel(postID: postID, flags: flags, reviewer: reviewer, note: note)
        return LabelAndNext(label: label, next: try await claimNext(for: reviewer, lease: lease, excluding: itemIDs))
    }

    @discardableResult
    public func addLabel(postID: String, flags: [String], reviewer: String) async throws -> Label {
        try await addLabel(postID: postID, flags: flags, reviewer: reviewer, note: nil)
    }

    /// The latest label of a post, or `nil` when it was never reviewed.
    public func currentLabel(for postID: String) async throws -> Label? {
        try await labels(for: postID).last
    }

    /// Every labelled post, page by page, in post-id order.
    public func forEachLabelledPost(pageSize: Int = 500, _ body: (LabelledPost) throws -> Void) async throws {
        var after: String?
        while true {
            let page = try await labelledPosts(after: after, limit: pageSize)
            for item in page { try body(item) }
            guard page.count == pageSize, let last = page.last else { return }
            after = last.post.id
        }
    }
}
