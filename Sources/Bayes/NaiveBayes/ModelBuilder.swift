public import Features
public import Posts

/// Learns labelled posts one after another and then builds the model: what `train` does,
/// faster than `NaiveBayesModel.update(with:)` post by post and with exactly its result (the
/// same flags, vocabulary, slots, token texts and counts, bit for bit).
///
/// The counts live in a ``CountTable`` (one row per token with every count in it) while
/// learning, and go into the model's arrays once, in ``model()``. Memory grows with the
/// vocabulary, not with the posts. The table is a class: copies of a builder share it, so
/// learn through one builder only.
public struct ModelBuilder {
    public let configuration: NaiveBayesModel.Configuration
    /// The flags, in the order they were first seen in training labels.
    public private(set) var flags: [String] = []
    public private(set) var documentCount: Double = 0
    public private(set) var flagDocumentCounts: [Double] = []
    private var sink: CountingSink

    public init(configuration: NaiveBayesModel.Configuration = .init()) {
        self.configuration = configuration
        sink = CountingSink(table: CountTable())
    }

    /// Features learned so far.
    public var featureCount: Int { sink.table.count }

    /// Learns one post read as bytes (the fast path); posts without labels are ignored.
    public mutating func learn(_ post: PostText, extractor: inout FeatureExtractor) {
        guard let labels = post.labels else { return }
        begin(labels)
        extractor.extract(post, into: &sink)
    }

    /// Learns one post; posts without labels are ignored.
    public mutating func learn(_ post: Post, extractor: inout FeatureExtractor) {
        guard let labels = post.labels else { return }
        begin(labels)
        extractor.extract(post, into: &sink)
    }

    /// Counts the document under its flags (each once) and sets them for its tokens, as
    /// `NaiveBayesModel.update` does.
    private mutating func begin(_ labels: [String]) {
        let postFlags = sink.postFlags
        postFlags.count = 0
        for label in labels {
            let f = flagIndex(label)
            if !postFlags.elements.contains(f) { postFlags.append(f) }
        }
        documentCount += 1
        for f in postFlags.elements { flagDocumentCounts[f] += 1 }
    }

    private mutating func flagIndex(_ name: String) -> Int {
        if let i = flags.firstIndex(of: name) { return i }
        flags.append(name)
        flagDocumentCounts.append(0)
        return sink.table.addFlag()
    }

    /// The model learned so far (thresholds at their defaults).
    public func model() -> NaiveBayesModel {
        let (total, flagCounts) = sink.table.columns()
        return NaiveBayesModel(
            configuration: configuration, flags: flags, vocabulary: sink.table.vocabulary(), documentCount: documentCount,
            flagDocumentCounts: flagDocumentCounts, totalCounts: total, flagCounts: flagCounts, thresholds: [:])
    }
}

/// Adds a post's tokens to a ``CountTable`` as the extractor emits them: the same additions,
/// in the same order per count, as `TrainingSink`.
struct CountingSink: TokenSink {
    let table: CountTable
    /// The flags of the post being learned.
    let postFlags = ReusableBuffer<Int>(capacity: 8)
    /// Slots found by `acceptsHashesOnly`, for the `add(hashes:…)` that follows it.
    let found = ReusableBuffer<Int>()
    /// Room for one slot.
    let one = ReusableBuffer<Int>(capacity: 1)

    init(table: CountTable) {
        self.table = table
    }

    var needsTokenTexts: Bool { true }

    /// A new token needs its text in the vocabulary; known ones do not.
    func acceptsHashesOnly(_ hashes: UnsafeBufferPointer<UInt64>) -> Bool {
        table.find(hashes, into: found)
    }

    /// The tokens of a text with new ones: `acceptsHashesOnly` found those before the first new
    /// one; the rest are looked up or added (with their texts) in order, then all counted.
    mutating func add(
        hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin, appendingText appendText: (Int, ReusableBuffer<UInt8>) -> Void
    ) {
        guard found.count <= hashes.count else {
            for k in 0..<hashes.count {
                table.add(weight, slots: slot(inserting: hashes[k]) { appendText(k, $0) }, flags: postFlags.elements)
            }
            return
        }
        let capacity = table.capacity
        for k in found.count..<hashes.count {
            found.append(table.slot(inserting: hashes[k]) { appendText(k, $0) })
        }
        if table.capacity != capacity {
            // The table grew: every row moved.
            for k in 0..<found.count { found[k] = table.slot(of: hashes[k]) }
        }
        table.add(weight, slots: found.elements, flags: postFlags.elements)
    }

    mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin, text: (Int) -> String) {
        add(hashes: hashes, weight: weight, origin: origin) { k, blob in Self.append(text(k), to: blob) }
    }

    /// Counts the tokens `acceptsHashesOnly` just found.
    mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin) {
        guard found.count == hashes.count else {
            for h in hashes { add(h, weight: weight, origin: origin, text: "") }
            return
        }
        table.add(weight, slots: found.elements, flags: postFlags.elements)
    }

    mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String) {
        table.add(weight, slots: slot(inserting: hash) { Self.append(text(), to: $0) }, flags: postFlags.elements)
    }

    private static func append(_ text: String, to blob: ReusableBuffer<UInt8>) {
        var text = text
        text.withUTF8 { blob.append(contentsOf: $0) }
    }

    /// One slot, as a buffer for `CountTable.add(_:slots:flags:)`.
    private func slot(inserting hash: UInt64, appendingText appendText: (ReusableBuffer<UInt8>) -> Void) -> UnsafeBufferPointer<Int> {
        one[0] = table.slot(inserting: hash, appendingText: appendText)
        return UnsafeBufferPointer(start: one.base, count: 1)
    }
}
