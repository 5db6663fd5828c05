public import Foundation
public import Posts
public import ReviewQueue

/// One evidence object of a stored prediction, as `classify --explain` writes it.
public struct EvidenceRecord: Sendable, Hashable, Decodable {
    public var kind: String
    public var value: String?
    public var text: String
    public var flag: String?
    /// `title`, `description`, `hashtags` or `captions`.
    public var field: String
    public var cue: Int?
    public var start: Double?
    /// `[start, end)` in Unicode scalars within the field's text (that hashtag, that cue).
    public var range: [Int]?
    public var weight: Double?

    public init(
        kind: String, value: String? = nil, text: String, flag: String? = nil, field: String, cue: Int? = nil,
        start: Double? = nil, range: [Int]? = nil, weight: Double? = nil
    ) {
        self.kind = kind
        self.value = value
        self.text = text
        self.flag = flag
        self.field = field
        self.cue = cue
        self.start = start
        self.range = range
        self.weight = weight
    }

    /// The evidence array of a prediction; entries that do not decode are left out.
    public static func decodeArray(_ json: String) -> [EvidenceRecord] {
        struct Lenient: Decodable {
            var record: EvidenceRecord?
            init(from decoder: any Decoder) throws { record = try? EvidenceRecord(from: decoder) }
        }
        guard let items = try? JSONDecoder().decode([Lenient].self, from: Data(json.utf8)) else { return [] }
        return items.compactMap(\.record)
    }

    /// The scalar range of this evidence within `text`: its stored range when the text there is
    /// the evidence text, else the first place the text occurs (the post changed since the
    /// prediction), else `nil`.
    public func scalarRange(in text: [Unicode.Scalar]) -> Range<Int>? {
        let needle = Array(self.text.unicodeScalars)
        guard !needle.isEmpty, needle.count <= text.count else { return nil }
        if let range, range.count == 2, range[0] >= 0, range[0] <= range[1], range[1] <= text.count,
            Array(text[range[0]..<range[1]]) == needle
        {
            return range[0]..<range[1]
        }
        var i = 0
        while i + needle.count <= text.count {
            if text[i] == needle[0], Array(text[i..<(i + needle.count)]) == needle { return i..<(i + needle.count) }
            i += 1
        }
        return nil
    }
}

/// Another post sharing a contact identifier, with its current label.
public struct SharedPostSummary: Sendable, Hashable {
    public var shared: SharedContactPost
    public var currentLabel: ReviewQueue.Label?

    public init(shared: SharedContactPost, currentLabel: ReviewQueue.Label?) {
        self.shared = shared
        self.currentLabel = currentLabel
    }
}

/// Everything the review screen shows about one claimed item.
public struct ReviewCard: Sendable, Hashable {
    public var item: ReviewItem
    public var post: Post
    /// The latest prediction, if any.
    public var prediction: Prediction?
    public var evidence: [EvidenceRecord]
    public var shared: [SharedPostSummary]
    /// The post's labels (not undone), oldest first.
    public var labels: [ReviewQueue.Label]

    public init(
        item: ReviewItem, post: Post, prediction: Prediction?, evidence: [EvidenceRecord], shared: [SharedPostSummary],
        labels: [ReviewQueue.Label]
    ) {
        self.item = item
        self.post = post
        self.prediction = prediction
        self.evidence = evidence
        self.shared = shared
        self.labels = labels
    }

    /// Loads the card for a claimed item from the store.
    public static func load(_ item: ReviewItem, from store: any ReviewQueueStore, sharedLimit: Int = 8) async throws -> ReviewCard {
        guard let stored = try await store.post(id: item.postID) else {
            throw ReviewQueueError(.unknownPost, "Queue item \(item.id) names post '\(item.postID)', which is not in the store.")
        }
        let prediction = try await store.predictions(for: item.postID).first
        var shared: [SharedPostSummary] = []
        for other in try await store.postsSharingContacts(postID: item.postID, limit: sharedLimit) {
            shared.append(SharedPostSummary(shared: other, currentLabel: try await store.currentLabel(for: other.postID)))
        }
        return ReviewCard(
            item: item, post: stored.post, prediction: prediction,
            evidence: prediction.map { EvidenceRecord.decodeArray($0.evidenceJSON) } ?? [], shared: shared,
            labels: try await store.labels(for: item.postID))
    }
}
