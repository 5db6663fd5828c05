public import Foundation
public import Posts

/// A post as the store keeps it: the latest fetched version plus where its bytes came from.
public struct StoredPost: Sendable, Hashable {
    public var post: Post
    /// SHA-256 (hex) of the post's text content; a changed hash means the post changed.
    public var contentHash: String
    /// SHA-256 (hex) of the raw fetched bytes the post was parsed from, when the fetcher kept them.
    public var rawSHA256: String?
    public var fetchedAt: Date?
    public var sourceURL: String?
    /// How many distinct content versions the store has seen (1 for a new post).
    public var version: Int
    public var firstSeenAt: Date
    public var updatedAt: Date

    public var id: String { post.id }

    public init(
        post: Post, contentHash: String, rawSHA256: String? = nil, fetchedAt: Date? = nil,
        sourceURL: String? = nil, version: Int = 1, firstSeenAt: Date, updatedAt: Date
    ) {
        self.post = post
        self.contentHash = contentHash
        self.rawSHA256 = rawSHA256
        self.fetchedAt = fetchedAt
        self.sourceURL = sourceURL
        self.version = version
        self.firstSeenAt = firstSeenAt
        self.updatedAt = updatedAt
    }
}

/// What an upsert did to the stored post.
public enum PostUpsertResult: String, Sendable, Hashable {
    /// The id was new.
    case inserted
    /// The id was known and its content hash changed.
    case changed
    /// The id was known with the same content; provenance (fetch time, raw hash) was refreshed.
    case unchanged
}

/// The router's verdict for one flag.
public enum FlagDecision: String, Sendable, Hashable, Codable, CaseIterable {
    case flag, unsure, clear
}

/// One model's verdict on one post, stored as plain values so the store needs no classifier.
public struct Prediction: Sendable, Hashable {
    public var postID: String
    /// `name@version`, e.g. `default@3`.
    public var modelVersion: String
    public var scores: [String: Double]
    public var decisions: [String: FlagDecision]
    /// The classifier's evidence array, as JSON text (`[]` when there is none).
    public var evidenceJSON: String
    public var createdAt: Date

    public init(
        postID: String, modelVersion: String, scores: [String: Double], decisions: [String: FlagDecision],
        evidenceJSON: String = "[]", createdAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.postID = postID
        self.modelVersion = modelVersion
        self.scores = scores
        self.decisions = decisions
        self.evidenceJSON = evidenceJSON
        self.createdAt = createdAt
    }

    /// The flags this prediction knows about: its score and decision keys.
    public var flags: [String] { Array(Set(scores.keys).union(decisions.keys)).sorted() }
}

/// One review decision. Labels are append-only; the current label of a post is its latest.
public struct Label: Sendable, Hashable {
    public var id: Int64
    public var postID: String
    /// Flags set by the reviewer; `[]` means reviewed and benign.
    public var flags: [String]
    public var reviewer: String
    public var note: String?
    public var createdAt: Date

    public init(id: Int64, postID: String, flags: [String], reviewer: String, note: String?, createdAt: Date) {
        self.id = id
        self.postID = postID
        self.flags = flags
        self.reviewer = reviewer
        self.note = note
        self.createdAt = createdAt
    }

    public var isBenign: Bool { flags.isEmpty }
}

/// What ``ReviewQueueStore/addLabelAndClaimNext(postID:flags:reviewer:note:lease:excluding:)``
/// did: the label saved and the item claimed next (nil when nothing is left to claim).
public struct LabelAndNext: Sendable, Hashable {
    public var label: Label
    public var next: ReviewItem?

    public init(label: Label, next: ReviewItem?) {
        self.label = label
        self.next = next
    }
}

/// A post with its current (latest) label, for export and retraining.
public struct LabelledPost: Sendable, Hashable {
    public var post: StoredPost
    public var label: Label
}

/// One item of the review queue.
public struct ReviewItem: Sendable, Hashable {
    public var id: Int64
    public var postID: String
    public var priority: Double
    /// Why the item was queued, e.g. `flag:guidance`, `unsure:contact`, `sample:clear`, `manual`.
    public var reason: String
    public var enqueuedAt: Date
    public var state: ReviewItemState

    public init(id: Int64, postID: String, priority: Double, reason: String, enqueuedAt: Date, state: ReviewItemState) {
        self.id = id
        self.postID = postID
        self.priority = priority
        self.reason = reason
        self.enqueuedAt = enqueuedAt
        self.state = state
    }
}

/// An entry of the audit log: every state-changing action on the store.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    /// `post.upsert`, `prediction.record`, `queue.enqueue`, `queue.claim`, `queue.release`, `label.add`,
    /// `crawl.lease`, `crawl.update`, …
    public var action: String
    public var postID: String?
    public var itemID: Int64?
    /// Action details as a JSON object (`{}` when there are none).
    public var detailJSON: String

    public init(id: Int64, at: Date, actor: String, action: String, postID: String?, itemID: Int64?, detailJSON: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.postID = postID
        self.itemID = itemID
        self.detailJSON = detailJSON
    }
}

/// The crawl bookkeeping for one source.
public struct CrawlState: Sendable, Hashable {
    public var source: String
    /// Adapter-specific resume point (page token, last seen id, …).
    public var cursor: String?
    public var etag: String?
    public var lastModified: String?
    public var lastRunAt: Date?
    public var nextDueAt: Date?
    public var consecutiveFailures: Int
    public var lastError: String?
    /// The worker currently holding the source, and until when.
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?

    public init(
        source: String, cursor: String? = nil, etag: String? = nil, lastModified: String? = nil,
        lastRunAt: Date? = nil, nextDueAt: Date? = nil, consecutiveFailures: Int = 0, lastError: String? = nil,
        leaseOwner: String? = nil, leaseExpiresAt: Date? = nil
    ) {
        self.source = source
        self.cursor = cursor
        self.etag = etag
        self.lastModified = lastModified
        self.lastRunAt = lastRunAt
        self.nextDueAt = nextDueAt
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// Counts for `queue stats`.
public struct QueueStats: Sendable, Hashable {
    public var posts = 0
    public var predictions = 0
    public var pending = 0
    /// Claimed items whose lease is still running.
    public var claimed = 0
    /// Claimed items whose lease ran out; the next `claimNext` may hand them out again.
    public var expired = 0
    public var decided = 0
    public var labels = 0
    public var labelledPosts = 0
    /// Among current labels: how many posts carry each flag, and how many are benign.
    public var flagCounts: [String: Int] = [:]
    public var benign = 0
    public var seenIDs = 0
    public var sources = 0

    public init() {}

    /// Tallies the current labels (one flags text per labelled post) into `labelledPosts`,
    /// `benign` and `flagCounts`; both backends use it after their own query.
    mutating func countCurrentLabels(_ current: [String], location: String) throws {
        labelledPosts = current.count
        for text in current {
            let flags = try StoreCoding.decodeFlags(text, location: location)
            if flags.isEmpty { benign += 1 }
            for flag in flags { flagCounts[flag, default: 0] += 1 }
        }
    }
}
