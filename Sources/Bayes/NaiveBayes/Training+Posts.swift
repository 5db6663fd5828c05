import Features
public import Posts

extension Training {
    /// Trains on posts held in memory (retraining from the store plus fixtures), with the same
    /// cross-validated threshold choice as ``train(inputs:progress:)``.
    ///
    /// Posts without labels are counted as unlabelled and not learned.
    public func train(posts: [Post], describe source: String) throws -> (NaiveBayesModel, Summary) {
        var model = NaiveBayesModel(configuration: configuration)
        var extractor = FeatureExtractor(configuration: configuration.features)
        var summary = Summary()
        var hasher = DataHasher()
        for post in posts {
            guard let labels = post.labels else {
                summary.unlabelled += 1
                continue
            }
            model.learn(post, extractor: &extractor)
            hasher.add(id: post.id, labels: labels)
            summary.posts += 1
        }
        summary.dataHash = hasher.value
        guard summary.posts > 0 else {
            throw ModelError(.noTrainingData, "no labelled posts in \(source): training needs posts with a 'labels' list ([] for benign)")
        }
        try model.validateForScoring()
        if folds >= 2 {
            let examples = try crossValidate(model) { body in
                for post in posts { try body(post) }
            }
            model.chooseThresholds(from: examples, targetPrecision: targetPrecision, targetRecall: targetRecall)
            summary.crossValidation = model.evaluate(examples)
        }
        return (model, summary)
    }

    /// The training data hash of labelled posts, as ``train(inputs:progress:)`` computes it.
    public struct DataHasher: Sendable {
        var hash = TokenHash.offsetBasis
        public init() {}

        public mutating func add(id: String, labels: [String]) {
            hash = TokenHash.hash(id.utf8, from: hash)
            for l in labels { hash = TokenHash.hash(l.utf8, from: TokenHash.step(hash, 0x1F)) }
            hash = TokenHash.step(hash, 0x0A)
        }

        public var value: String { "fnv1a64:" + String(hash, radix: 16) }
    }
}

extension NaiveBayesModel {
    /// Scores labelled posts (those with `labels`) for ``evaluate(_:)``.
    public func scoredExamples(_ posts: [Post]) -> [ScoredExample] {
        let scorer = Scorer(self)
        var extractor = FeatureExtractor(configuration: configuration.features)
        return posts.compactMap { post in
            guard let labels = post.labels else { return nil }
            return ScoredExample(id: post.id, logOdds: scorer.logOdds(post, extractor: &extractor), labels: Set(labels), tags: post.tags)
        }
    }

    /// The model without features that no learned post has any more (left behind by
    /// un-learning), so its vocabulary, and with it the smoothing denominator, is the one a
    /// rebuild on the same posts has.
    ///
    /// Counts within 1e-9 of zero count as zero (adding and removing fractional field weights
    /// can leave rounding dust).
    ///
    /// - Complexity: O(V × F) in the vocabulary size and the number of flags.
    public func compacted() -> NaiveBayesModel {
        var out = NaiveBayesModel(configuration: configuration, flags: flags)
        out.documentCount = documentCount
        out.flagDocumentCounts = flagDocumentCounts
        out.thresholds = thresholds
        var keys = [UInt64](repeating: 0, count: vocabulary.count)
        vocabulary.forEachSlot { _, key, index in keys[index] = key }
        for i in 0..<vocabulary.count where abs(totalCounts[i]) > 1e-9 {
            let text = vocabulary.token(i)
            // A stored key is its own key (only a zero hash is stored as 1), so lookups by the
            // token's hash find it.
            let (j, isNew) = out.vocabulary.insert(keys[i]) { text }
            if isNew { out.grow(to: j + 1) }
            out.totalCounts[j] = totalCounts[i]
            for f in flags.indices { out.flagCounts[f][j] = abs(flagCounts[f][i]) > 1e-9 ? flagCounts[f][i] : 0 }
        }
        return out
    }

    /// Each feature's counts keyed by token text: total, then one per flag in flag-name order
    /// (features with no count left out). Two models with the same counts give the same map
    /// whatever their feature and flag order.
    public func countsByToken() -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        let order = flags.indices.sorted { flags[$0] < flags[$1] }
        for i in 0..<vocabulary.count where abs(totalCounts[i]) > 1e-9 {
            out[vocabulary.token(i)] = [totalCounts[i]] + order.map { flagCounts[$0][i] }
        }
        return out
    }
}
