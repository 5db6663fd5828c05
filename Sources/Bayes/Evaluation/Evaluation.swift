/// One scored, labelled post: what evaluation and threshold choice work from.
public struct ScoredExample: Sendable {
    public var id: String
    /// Log-odds per flag, in the model's flag order.
    public var logOdds: [Double]
    /// The post's true flags.
    public var labels: Set<String>
    public var tags: [String]

    public init(id: String, logOdds: [Double], labels: Set<String>, tags: [String]) {
        self.id = id
        self.logOdds = logOdds
        self.labels = labels
        self.tags = tags
    }
}

/// Counts of a binary decision against the truth.
public struct ConfusionMatrix: Sendable, Codable, Hashable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    public var trueNegatives = 0

    public init() {}

    public var precision: Double {
        truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
    }
    public var recall: Double {
        truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives)
    }
    public var f1: Double {
        let p = precision
        let r = recall
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    public var total: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
}

/// A point of a precision-recall curve: flagging everything at or above `logOdds`.
public struct PRPoint: Sendable, Codable, Hashable {
    public var logOdds: Double
    public var precision: Double
    public var recall: Double
}

/// Metrics for one flag.
public struct FlagMetrics: Sendable, Codable {
    public var flag: String
    /// Decisions `flag` counted as positive.
    public var confusion: ConfusionMatrix
    /// Decision (flag / unsure / clear) against truth: `decisions[decision][truth ? 1 : 0]`.
    public var decisions: [String: [Int]]
    public var curve: [PRPoint]
    /// Area under the precision-recall curve (average precision).
    public var averagePrecision: Double
    public var precision: Double { confusion.precision }
    public var recall: Double { confusion.recall }
    public var f1: Double { confusion.f1 }
}

/// The result of evaluating a model on labelled posts.
public struct EvaluationReport: Sendable, Codable {
    public var examples: Int
    public var flags: [FlagMetrics]
    /// Mean F1 over the flags.
    public var macroF1: Double
    /// For each corpus tag: how many posts carry it and how many of them got any `flag` decision.
    public var flaggedByTag: [String: [Int]]

    /// The share of `hard-negative:*` posts that got a `flag` decision.
    public var hardNegativeFlagRate: Double? {
        var n = 0
        var flagged = 0
        for (tag, counts) in flaggedByTag where tag.hasPrefix("hard-negative") {
            n += counts[0]
            flagged += counts[1]
        }
        return n == 0 ? nil : Double(flagged) / Double(n)
    }
}

extension NaiveBayesModel {
    /// Evaluates decisions (with the model's thresholds) on scored examples.
    public func evaluate(_ examples: [ScoredExample]) -> EvaluationReport {
        var metrics: [FlagMetrics] = []
        var anyFlag = [Bool](repeating: false, count: examples.count)
        for (f, flag) in flags.enumerated() {
            var confusion = ConfusionMatrix()
            var decisions: [String: [Int]] = Dictionary(uniqueKeysWithValues: Decision.allCases.map { ($0.rawValue, [0, 0]) })
            for (k, e) in examples.enumerated() {
                let truth = e.labels.contains(flag)
                let d = decision(for: flag, logOdds: e.logOdds[f])
                decisions[d.rawValue]![truth ? 1 : 0] += 1
                if d == .flag { anyFlag[k] = true }
                switch (d == .flag, truth) {
                case (true, true): confusion.truePositives += 1
                case (true, false): confusion.falsePositives += 1
                case (false, true): confusion.falseNegatives += 1
                case (false, false): confusion.trueNegatives += 1
                }
            }
            let (curve, ap) = Self.precisionRecallCurve(examples.map { ($0.logOdds[f], $0.labels.contains(flag)) })
            metrics.append(
                FlagMetrics(flag: flag, confusion: confusion, decisions: decisions, curve: curve, averagePrecision: ap))
        }
        var byTag: [String: [Int]] = [:]
        for (k, e) in examples.enumerated() {
            for tag in e.tags {
                byTag[tag, default: [0, 0]][0] += 1
                if anyFlag[k] { byTag[tag]![1] += 1 }
            }
        }
        let macro = metrics.isEmpty ? 0 : metrics.map(\.f1).reduce(0, +) / Double(metrics.count)
        return EvaluationReport(examples: examples.count, flags: metrics, macroF1: macro, flaggedByTag: byTag)
    }

    /// The precision-recall curve, one point per distinct score, and average precision.
    static func precisionRecallCurve(_ scored: [(Double, Bool)]) -> ([PRPoint], Double) {
        let sorted = scored.sorted { $0.0 > $1.0 }
        let positives = sorted.filter(\.1).count
        guard positives > 0 else { return ([], 0) }
        var points: [PRPoint] = []
        var tp = 0
        var fp = 0
        var ap = 0.0
        var lastRecall = 0.0
        var k = 0
        while k < sorted.count {
            let score = sorted[k].0
            while k < sorted.count, sorted[k].0 == score {
                if sorted[k].1 { tp += 1 } else { fp += 1 }
                k += 1
            }
            let p = Double(tp) / Double(tp + fp)
            let r = Double(tp) / Double(positives)
            ap += (r - lastRecall) * p
            lastRecall = r
            points.append(PRPoint(logOdds: score, precision: p, recall: r))
        }
        return (points, ap)
    }

    /// Chooses each flag's thresholds from scored examples the model did not learn from.
    ///
    /// `flag`: the threshold with the best F1 among those reaching `targetPrecision` (the best F1
    /// overall when none does). `clear`: the highest threshold, at most `flag`, that still keeps
    /// `targetRecall` of the positives at `unsure` or above.
    public mutating func chooseThresholds(from examples: [ScoredExample], targetPrecision: Double, targetRecall: Double) {
        for (f, flag) in flags.enumerated() {
            let (curve, _) = Self.precisionRecallCurve(examples.map { ($0.logOdds[f], $0.labels.contains(flag)) })
            guard !curve.isEmpty else { continue }
            func f1(_ p: PRPoint) -> Double { p.precision + p.recall == 0 ? 0 : 2 * p.precision * p.recall / (p.precision + p.recall) }
            let reaching = curve.indices.filter { curve[$0].precision >= targetPrecision }
            let candidates = reaching.isEmpty ? Array(curve.indices) : reaching
            let best = candidates.max { f1(curve[$0]) < f1(curve[$1]) }!
            // Put the cut halfway to the next lower score, so near-ties fall the same way.
            func cut(_ k: Int) -> Double {
                k + 1 < curve.count ? (curve[k].logOdds + curve[k + 1].logOdds) / 2 : curve[k].logOdds - 1
            }
            let flagAt = best + 1 < curve.count ? (curve[best].logOdds + curve[best + 1].logOdds) / 2 : curve[best].logOdds
            let recallIndex = curve.firstIndex { $0.recall >= targetRecall } ?? (curve.count - 1)
            let clearAt = min(cut(max(recallIndex, best)), flagAt)
            thresholds[flag] = Thresholds(flagLogOdds: flagAt, clearLogOdds: clearAt)
        }
    }
}
