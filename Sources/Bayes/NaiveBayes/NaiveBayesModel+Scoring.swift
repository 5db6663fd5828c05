#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Features
public import Posts

/// Per-feature weights derived from a model's counts, laid out for scoring: for feature `i` and
/// flag `f`, `weights[i * flagCount + f]` is log P(i | flag) − log P(i | not flag).
public struct Scorer: Sendable {
    public let flags: [String]
    let flagCount: Int
    let vocabulary: Vocabulary
    let weights: [Double]
    /// The part of each flag's log-odds that does not depend on the post (the log prior ratio).
    let bias: [Double]
    /// log P(feature | class) for [not flag, flag], for parity checks and reports.
    let logProbabilities: [[[Double]]]
    /// The hot-path table: slot `s` holds a token key then its weight per flag, side by side, so
    /// scoring a token touches one cache line instead of three arrays.
    let table: [UInt64]
    let stride: Int
    let shift: UInt64

    public init(_ model: NaiveBayesModel) {
        flags = model.flags
        flagCount = model.flags.count
        vocabulary = model.vocabulary
        let v = model.vocabulary.count
        let alpha = model.configuration.alpha
        var weights = [Double](repeating: 0, count: v * flagCount)
        var bias = [Double](repeating: 0, count: flagCount)
        var logProbabilities: [[[Double]]] = []
        for f in 0..<flagCount {
            // Counts of each class: with the flag, and without it.
            let pos = model.flagCounts[f]
            var neg = [Double](repeating: 0, count: v)
            for i in 0..<v { neg[i] = model.totalCounts[i] - pos[i] }
            var logNeg = [Double](repeating: 0, count: v)
            var logPos = [Double](repeating: 0, count: v)
            switch model.configuration.kind {
            case .multinomial:
                // log((count + α) / (class total + α·V)), as scikit-learn's MultinomialNB.
                let posTotal = log(pos.reduce(0, +) + alpha * Double(v))
                let negTotal = log(neg.reduce(0, +) + alpha * Double(v))
                for i in 0..<v {
                    logPos[i] = log(pos[i] + alpha) - posTotal
                    logNeg[i] = log(neg[i] + alpha) - negTotal
                }
            case .complement:
                // ComplementNB: a class's weights are minus the log-frequencies of its complement
                // (for two classes, the other class), as scikit-learn's ComplementNB (norm=False).
                let posTotal = log(pos.reduce(0, +) + alpha * Double(v))
                let negTotal = log(neg.reduce(0, +) + alpha * Double(v))
                for i in 0..<v {
                    logPos[i] = -(log(neg[i] + alpha) - negTotal)
                    logNeg[i] = -(log(pos[i] + alpha) - posTotal)
                }
            }
            // A feature no learned post has (left behind by un-learning) counts as unknown, as an
            // unseen token does, instead of leaning towards the class with fewer tokens.
            for i in 0..<v where model.totalCounts[i] != 0 { weights[i * flagCount + f] = logPos[i] - logNeg[i] }
            let n = model.documentCount
            let np = model.flagDocumentCounts[f]
            if model.configuration.kind == .multinomial, model.configuration.fitPrior, n > 0, np > 0, np < n {
                bias[f] = log(np / n) - log((n - np) / n)
            }
            logProbabilities.append([logNeg, logPos])
        }
        self.weights = weights
        self.bias = bias
        self.logProbabilities = logProbabilities
        let capacity = model.vocabulary.capacity
        let stride = 1 + flagCount
        let flags = flagCount
        self.stride = stride
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        var table = [UInt64](repeating: 0, count: capacity * stride)
        model.vocabulary.forEachSlot { slot, key, index in
            table[slot * stride] = key
            for f in 0..<flags { table[slot * stride + 1 + f] = weights[index * flags + f].bitPattern }
        }
        self.table = table
    }

    /// Log-odds of each flag for a post.
    public func logOdds(_ post: Post, extractor: inout FeatureExtractor) -> [Double] {
        var sink = ScoringSink(scorer: self, sums: bias)
        extractor.extract(post, into: &sink)
        return sink.sums
    }

    /// Log-odds of each flag for a post read as bytes (the fast path of `classify`): the same
    /// values as for the `Post`.
    public func logOdds(_ post: PostText, extractor: inout FeatureExtractor) -> [Double] {
        var sink = ScoringSink(scorer: self, sums: bias)
        extractor.extract(post, into: &sink)
        return sink.sums
    }

    /// Log-odds of each flag for a count vector of feature indexes (as scikit-learn sees it).
    public func logOdds(vector: [(feature: Int, count: Double)]) -> [Double] {
        var sums = bias
        for (i, x) in vector {
            for f in 0..<flagCount { sums[f] += x * weights[i * flagCount + f] }
        }
        return sums
    }

    /// [log P(not flag | x), log P(flag | x)] from log-odds, normalised by log-sum-exp.
    public static func logProbabilities(logOdds d: Double) -> (negative: Double, positive: Double) {
        // log σ(d) = −log(1 + e^−d), written to stay exact for large |d|.
        func logSigmoid(_ x: Double) -> Double { x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)) }
        return (logSigmoid(-d), logSigmoid(d))
    }

    public static func probability(logOdds d: Double) -> Double { 1 / (1 + exp(-d)) }

    /// Feature weights for flag `f` (log P(i | flag) − log P(i | not flag)).
    public func weight(feature i: Int, flag f: Int) -> Double { weights[i * flagCount + f] }

    /// log P(feature | class) for [not flag, flag]: what scikit-learn calls `feature_log_prob_`.
    public func featureLogProbabilities(flag f: Int) -> [[Double]] { logProbabilities[f] }
}

/// Sums feature weights as the extractor emits tokens; unknown tokens are skipped.
struct ScoringSink: TokenSink {
    /// What scoring reads of the `Scorer`, and only that: a sink is made per post, and copying
    /// the whole scorer retained and released each of its arrays.
    let table: [UInt64]
    let stride: Int
    let shift: UInt64
    var sums: [Double]
    /// Keeps the touching loads in `add(hashes:)` from being optimised away.
    var touched: UInt64 = 0

    init(scorer: Scorer, sums: [Double]) {
        table = scorer.table
        stride = scorer.stride
        shift = scorer.shift
        self.sums = sums
    }

    /// Scoring needs no token texts.
    func acceptsHashesOnly(_ hashes: UnsafeBufferPointer<UInt64>) -> Bool { true }

    /// The fast path's tokens of one text: the same sums, added in the same order, as `add`
    /// one by one, with the table and the sums held as pointers for the whole text.
    mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin) {
        let stride = stride
        let shift = shift
        let mask = table.count / stride - 1
        touched |= table.withUnsafeBufferPointer { t in
            // Touch every token's home slot first: these loads do not depend on each other, so
            // their cache misses overlap instead of queueing behind the sums below.
            var touched: UInt64 = 0
            for hash in hashes {
                touched |= t[Int(truncatingIfNeeded: (Vocabulary.key(hash) &* 0x9E37_79B9_7F4A_7C15) >> shift) &* stride]
            }
            return touched
        }
        table.withUnsafeBufferPointer { t in
            sums.withUnsafeMutableBufferPointer { sums in
                let flags = sums.count
                for hash in hashes {
                    let k = Vocabulary.key(hash)
                    var slot = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
                    var stored = t[slot &* stride]
                    while stored != k && stored != 0 {
                        slot = (slot &+ 1) & mask
                        stored = t[slot &* stride]
                    }
                    if stored == 0 { continue }  // a token the model never saw
                    let base = slot &* stride &+ 1
                    for f in 0..<flags { sums[f] += weight * Double(bitPattern: t[base &+ f]) }
                }
            }
        }
    }

    @inline(__always)
    mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String) {
        let k = Vocabulary.key(hash)
        let stride = stride
        let mask = table.count / stride - 1
        var slot = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
        table.withUnsafeBufferPointer { t in
            while true {
                let stored = t[slot &* stride]
                if stored == k { break }
                if stored == 0 { return }
                slot = (slot &+ 1) & mask
            }
            let base = slot &* stride &+ 1
            for f in 0..<sums.count { sums[f] += weight * Double(bitPattern: t[base &+ f]) }
        }
    }
}
