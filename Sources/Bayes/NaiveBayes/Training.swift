import Features
public import Posts

/// Trains a model from labelled post files, streaming: posts are learned as they are read, so
/// memory grows with the vocabulary, not with the number of posts.
public struct Training {
    public var configuration = NaiveBayesModel.Configuration()
    /// Cross-validation folds used to choose thresholds (0 keeps the default thresholds).
    public var folds = 5
    public var targetPrecision = 0.90
    public var targetRecall = 0.98
    public var reader = PostReader()
    /// Threads that read and learn posts at once (`Training+Threads.swift`); 1 reads on the
    /// calling thread alone. Either way the model is the same, byte for byte.
    public var threads = 1
    /// Bytes of whole lines a thread reads at a time: about 1 MiB spreads even a short file
    /// and keeps the per-chunk work (a copy, a merge step) negligible.
    public var chunkBytes = 1 << 20

    public init() {}

    public struct Summary: Sendable {
        public var posts = 0
        public var unlabelled = 0
        public var skipped = 0
        public var bytes = 0
        /// FNV-1a 64 over the ids and labels learned, in order: which data made the model.
        public var dataHash = ""
        /// Metrics of out-of-fold predictions, when thresholds were chosen by cross-validation.
        public var crossValidation: EvaluationReport?

        public init() {}
    }

    /// What the data hash reads of a learned post: its id, then 0x1F and each label, then 0x0A.
    /// One place for the format, which one thread and several (`Training+Threads.swift`) share.
    static func appendHashRecord(id: String, labels: [String], to out: inout [UInt8]) {
        out.append(contentsOf: id.utf8)
        for l in labels {
            out.append(0x1F)
            out.append(contentsOf: l.utf8)
        }
        out.append(0x0A)
    }

    /// Which fold a post belongs to: fixed by its id, so reruns agree.
    public static func fold(of id: String, folds: Int) -> Int {
        Int(TokenHash.hash(id) % UInt64(folds))
    }

    public func train(inputs: [String?], progress: (Int) -> Void = { _ in }) throws -> (NaiveBayesModel, Summary) {
        var (model, summary) = try usesThreads ? trainOnThreads(inputs: inputs, progress: progress) : trainOnOneThread(inputs: inputs, progress: progress)
        guard summary.posts > 0 else {
            throw ModelError(
                .noTrainingData,
                "no labelled posts in \(inputs.map { $0 ?? "<stdin>" }.joined(separator: ", ")): training needs posts with a 'labels' list ([] for benign)")
        }
        try model.validateForScoring()
        let canReread = !inputs.contains { $0 == nil || $0 == "-" }
        if folds >= 2, canReread {
            let quiet = PostReader(options: reader.options)
            let examples = try crossValidate(model) { body in
                for input in inputs { try quiet.forEachPost(in: input, body) }
            }
            model.chooseThresholds(from: examples, targetPrecision: targetPrecision, targetRecall: targetRecall)
            summary.crossValidation = model.evaluate(examples)
        }
        return (model, summary)
    }

    /// Reads and learns every post on the calling thread.
    func trainOnOneThread(inputs: [String?], progress: (Int) -> Void) throws -> (NaiveBayesModel, Summary) {
        var builder = ModelBuilder(configuration: configuration)
        var extractor = FeatureExtractor(configuration: configuration.features)
        var summary = Summary()
        var hash = TokenHash.offsetBasis
        var record: [UInt8] = []
        for input in inputs {
            let s = try reader.forEachPostText(in: input) { post in
                guard let labels = post.labels else {
                    summary.unlabelled += 1
                    return
                }
                builder.learn(post, extractor: &extractor)
                record.removeAll(keepingCapacity: true)
                Self.appendHashRecord(id: post.id, labels: labels, to: &record)
                hash = TokenHash.hash(record, from: hash)
                summary.posts += 1
                if summary.posts % 10_000 == 0 { progress(summary.posts) }
            }
            summary.skipped += s.skipped
            summary.bytes += s.bytes
        }
        summary.dataHash = "fnv1a64:" + String(hash, radix: 16)
        return (builder.model(), summary)
    }

    /// Out-of-fold log-odds for every labelled post: fold k is scored by the full model with
    /// fold k's posts un-learned.
    ///
    /// `forEachPost` hands every training post to its argument, the same posts each time it is called.
    func crossValidate(
        _ model: NaiveBayesModel, forEachPost: ((Post) throws -> Void) throws -> Void
    ) throws -> [ScoredExample] {
        var examples: [ScoredExample] = []
        var extractor = FeatureExtractor(configuration: configuration.features)
        for k in 0..<folds {
            var held = model
            try forEachPost { post in
                if post.labels != nil, Self.fold(of: post.id, folds: folds) == k { held.unlearn(post, extractor: &extractor) }
            }
            let scorer = Scorer(held)
            try forEachPost { post in
                guard let labels = post.labels, Self.fold(of: post.id, folds: folds) == k else { return }
                let d = scorer.logOdds(post, extractor: &extractor)
                examples.append(ScoredExample(id: post.id, logOdds: d, labels: Set(labels), tags: post.tags))
            }
        }
        return examples
    }
}
