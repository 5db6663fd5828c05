public import Features
public import Posts

extension NaiveBayesModel {
    /// Adds (sign +1) or removes (sign -1) one labelled post's counts.
    ///
    /// Posts without labels (`labels == nil`) are not training data and are ignored. Un-learning
    /// a post must use the labels it was learned with.
    public mutating func update(with post: Post, sign: Double = 1, extractor: inout FeatureExtractor) {
        update(labels: post.labels, sign: sign) { extractor.extract(post, into: &$0) }
    }

    /// Adds or removes one labelled post read as bytes (the fast path of `train`): the same
    /// counts as for the `Post`.
    public mutating func update(with post: PostText, sign: Double = 1, extractor: inout FeatureExtractor) {
        update(labels: post.labels, sign: sign) { extractor.extract(post, into: &$0) }
    }

    /// Counts one document under `labels` and lets `extract` feed its tokens to the sink.
    @inline(__always)
    private mutating func update(labels: [String]?, sign: Double, extract: (inout TrainingSink) -> Void) {
        guard let labels else { return }
        var flagIndexes: [Int] = []
        for label in labels where !flagIndexes.contains(flags.firstIndex(of: label) ?? -1) {
            flagIndexes.append(flagIndex(label))
        }
        documentCount += sign
        for f in flagIndexes { flagDocumentCounts[f] += sign }
        var sink = TrainingSink(model: self, flagIndexes: flagIndexes, sign: sign)
        self = NaiveBayesModel.placeholder  // release our storage so the sink owns it uniquely
        extract(&sink)
        self = sink.model
    }

    /// Learns a post (like scikit-learn's `partial_fit` with one sample).
    public mutating func learn(_ post: Post, extractor: inout FeatureExtractor) {
        update(with: post, sign: 1, extractor: &extractor)
    }

    /// Removes a post learned earlier, with the labels it was learned with.
    public mutating func unlearn(_ post: Post, extractor: inout FeatureExtractor) {
        update(with: post, sign: -1, extractor: &extractor)
    }

    /// Moves a post from its old labels to new ones: un-learns the old counts, learns the new.
    public mutating func relabel(_ post: Post, from old: [String]?, to new: [String]?, extractor: inout FeatureExtractor) {
        var p = post
        p.labels = old
        unlearn(p, extractor: &extractor)
        p.labels = new
        learn(p, extractor: &extractor)
    }

    /// Adds another model's counts (a shard trained apart on other posts).
    ///
    /// Throws when the configurations differ, since counts extracted differently do not add up.
    public mutating func merge(_ other: NaiveBayesModel) throws(ModelError) {
        guard other.configuration.features == configuration.features else {
            throw ModelError(.badArgument, "cannot merge models whose feature settings differ; retrain one with the other's settings")
        }
        var map = [Int](repeating: 0, count: other.vocabulary.count)
        for i in 0..<other.vocabulary.count {
            let text = other.vocabulary.token(i)
            let index = vocabulary.insert(TokenHash.hash(text)) { text }.index
            map[i] = index
        }
        let otherFlags = other.flags.map { flagIndex($0) }
        grow(to: vocabulary.count)
        documentCount += other.documentCount
        for (j, f) in otherFlags.enumerated() { flagDocumentCounts[f] += other.flagDocumentCounts[j] }
        for i in 0..<other.vocabulary.count {
            totalCounts[map[i]] += other.totalCounts[i]
            for (j, f) in otherFlags.enumerated() { flagCounts[f][map[i]] += other.flagCounts[j][i] }
        }
    }

    mutating func grow(to n: Int) {
        if totalCounts.count < n { totalCounts.append(contentsOf: repeatElement(0, count: n - totalCounts.count)) }
        for f in flagCounts.indices where flagCounts[f].count < n {
            flagCounts[f].append(contentsOf: repeatElement(0, count: n - flagCounts[f].count))
        }
    }

    /// Checks that every flag can be learned: at least one post with it and one without.
    public func validateForScoring() throws(ModelError) {
        guard documentCount > 0 else {
            throw ModelError(.noTrainingData, "no labelled posts were learned: training data needs a 'labels' list on each post")
        }
        for (f, name) in flags.enumerated() {
            let pos = flagDocumentCounts[f]
            if pos <= 0 || pos >= documentCount {
                throw ModelError(
                    .degenerateFlag,
                    "flag '\(name)' has \(Int(pos)) positive and \(Int(documentCount - pos)) negative posts; each flag needs both to be learned")
            }
        }
    }

    static let placeholder = NaiveBayesModel(configuration: Configuration(), flags: [])
}

/// Adds token counts straight into the model's arrays as the extractor emits them: no per-post
/// map, so memory grows with the vocabulary, not with the posts.
struct TrainingSink: TokenSink {
    var model: NaiveBayesModel
    let flagIndexes: [Int]
    let sign: Double

    /// Feature indexes found by `acceptsHashesOnly`, for the `add(hashes:…)` that follows it.
    let found = FeatureIndexes()

    /// New tokens need their texts in the vocabulary (for explanations).
    var needsTokenTexts: Bool { true }

    /// A new token needs its text in the vocabulary (for explanations); known ones do not.
    func acceptsHashesOnly(_ hashes: UnsafeBufferPointer<UInt64>) -> Bool {
        found.count = 0
        for h in hashes {
            guard let i = model.vocabulary.index(of: h) else { return false }
            found.append(Int32(i))
        }
        return true
    }

    /// The tokens of a text with new ones: `acceptsHashesOnly` found those before the first new
    /// one; the rest are looked up or added (with their texts) in order, as `add` one by one
    /// does, then counted as `add(hashes:…)` counts.
    mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin, text: (Int) -> String) {
        guard found.count <= hashes.count else {
            for k in 0..<hashes.count { add(hashes[k], weight: weight, origin: origin, text: text(k)) }
            return
        }
        for k in found.count..<hashes.count {
            let (i, isNew) = model.vocabulary.insert(hashes[k]) { text(k) }
            if isNew { model.grow(to: i + 1) }
            found.append(Int32(i))
        }
        count(weight * sign)
    }

    /// Counts the tokens `acceptsHashesOnly` just looked up: per count, the same additions in
    /// the same order as `add` one by one.
    mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin) {
        guard found.count == hashes.count else {
            for h in hashes { add(h, weight: weight, origin: origin, text: "") }
            return
        }
        count(weight * sign)
    }

    /// Adds `w` to the counts of the features in `found`: per count, the same additions in the
    /// same order as `add` one by one.
    private mutating func count(_ w: Double) {
        let indexes = UnsafeBufferPointer(start: found.base, count: found.count)
        do {
            model.totalCounts.withUnsafeMutableBufferPointer { counts in
                for i in indexes { counts[Int(i)] += w }
            }
            for f in flagIndexes {
                model.flagCounts[f].withUnsafeMutableBufferPointer { counts in
                    for i in indexes { counts[Int(i)] += w }
                }
            }
        }
    }

    mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String) {
        let (i, isNew) = model.vocabulary.insert(hash, text: text)
        if isNew { model.grow(to: i + 1) }
        model.addCount(feature: i, weight: weight * sign, flags: flagIndexes)
    }
}

extension NaiveBayesModel {
    @inline(__always)
    mutating func addCount(feature i: Int, weight: Double, flags: [Int]) {
        totalCounts[i] += weight
        for f in flags { flagCounts[f][i] += weight }
    }
}

/// Scratch space a training sink fills while checking a text's tokens (a class, so the check
/// can stay non-mutating).
typealias FeatureIndexes = ReusableBuffer<Int32>
