public import Posts
import Foundation

/// Refuses to train on data that cannot make a sound model: a flag with too few positive posts,
/// or whose positive share is extreme.
public struct TrainingGuards: Sendable {
    /// The fewest positive posts a flag needs. The default is 20.
    public var minPositives = 20
    /// A flag's positive share must lie in `minShare...(1 - minShare)`. The default is 0.01.
    public var minShare = 0.01

    public init(minPositives: Int = 20, minShare: Double = 0.01) {
        self.minPositives = minPositives
        self.minShare = minShare
    }

    /// What is wrong with the training posts for each flag in `flags` (plus any flag their labels
    /// name), one sentence each; empty when training may go on.
    public func problems(in posts: [Post], flags: [String]) -> [String] {
        var allFlags = flags
        var positives: [String: Int] = [:]
        var n = 0
        for post in posts {
            guard let labels = post.labels else { continue }
            n += 1
            for l in Set(labels) {
                positives[l, default: 0] += 1
                if !allFlags.contains(l) { allFlags.append(l) }
            }
        }
        var out: [String] = []
        for flag in allFlags {
            let p = positives[flag] ?? 0
            let share = n == 0 ? 0 : Double(p) / Double(n)
            if p < minPositives {
                out.append(
                    "flag '\(flag)' has \(p) positive post\(p == 1 ? "" : "s") among \(n) training posts; at least \(minPositives) are needed (--min-positives)")
            } else if share < minShare || share > 1 - minShare {
                out.append(
                    "flag '\(flag)' is on \(p) of \(n) training posts (\(Self.percent(share))): the class balance is extreme (allowed \(Self.percent(minShare))–\(Self.percent(1 - minShare)), --min-share)")
            }
        }
        return out
    }

    static func percent(_ x: Double) -> String {
        let p = x * 100
        return p == p.rounded() ? "\(Int(p))%" : String(format: "%.1f%%", p)
    }
}

/// When a candidate may replace the current model: macro-F1 on the same held-out posts does not
/// drop by more than `tolerance`, and each flag's precision stays at or above its floor.
public struct PromotionGates: Sendable {
    /// The largest macro-F1 drop allowed. The default is 0.01.
    public var tolerance = 0.01
    /// Precision floors by flag; flags not named use `defaultFloor`.
    public var precisionFloors: [String: Double] = [:]
    /// The default is 0.80.
    public var defaultFloor = 0.80

    public init(tolerance: Double = 0.01, precisionFloors: [String: Double] = [:], defaultFloor: Double = 0.80) {
        self.tolerance = tolerance
        self.precisionFloors = precisionFloors
        self.defaultFloor = defaultFloor
    }

    public struct Check: Sendable {
        public var passed: Bool
        public var text: String
    }

    public func floor(for flag: String) -> Double { precisionFloors[flag] ?? defaultFloor }

    /// Each gate with its numbers, in order: macro-F1, then precision per flag of the candidate.
    public func checks(candidate: EvaluationReport, current: EvaluationReport) -> [Check] {
        let f = { (x: Double) in String(format: "%.3f", x) }
        let drop = current.macroF1 - candidate.macroF1
        var out = [
            Check(
                passed: drop <= tolerance + 1e-12,
                text: "macro-F1 \(f(candidate.macroF1)) vs current \(f(current.macroF1)) (\(drop > 0 ? "drop" : "gain") \(f(abs(drop))); allowed drop \(f(tolerance)))")
        ]
        for m in candidate.flags {
            let floor = floor(for: m.flag)
            out.append(Check(passed: m.precision >= floor, text: "\(m.flag) precision \(f(m.precision)) (floor \(f(floor)))"))
        }
        return out
    }
}
