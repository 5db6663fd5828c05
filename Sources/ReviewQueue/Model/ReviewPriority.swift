/// Turns a prediction into a queue priority (DESIGN.md, issue 4 "Priority").
///
/// Bands, highest first:
/// - flagged (any flag decided `flag`): `2 + score` of the highest flagged score, so the surest
///   flags come first;
/// - unsure (some flag `unsure`, none flagged): `1 + (1 - distance)` where `distance` is the
///   smallest |score − threshold|, so the items closest to the threshold (the labels that teach
///   the model most) come first;
/// - clear: a random sample (`clearSampleRate`, default 2%) is queued at `score` (below 1), so
///   reviewers can measure what the model misses; the rest are not queued.
public struct ReviewPriority: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Per-flag decision thresholds; flags not listed use `defaultThreshold`.
        public var thresholds: [String: Double]
        public var defaultThreshold: Double
        /// Fraction of all-clear predictions to queue anyway, in 0...1.
        public var clearSampleRate: Double

        public init(thresholds: [String: Double] = [:], defaultThreshold: Double = 0.5, clearSampleRate: Double = 0.02) {
            self.thresholds = thresholds
            self.defaultThreshold = defaultThreshold
            self.clearSampleRate = min(max(clearSampleRate, 0), 1)
        }
    }

    public struct Routing: Sendable, Hashable {
        public var priority: Double
        /// `flag:guidance,contact`, `unsure:contact` or `sample:clear`.
        public var reason: String

        public init(priority: Double, reason: String) {
            self.priority = priority
            self.reason = reason
        }
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// The priority and reason for queueing, or `nil` when the prediction is clear and not sampled.
    public func routing(for prediction: Prediction, using generator: inout some RandomNumberGenerator) -> Routing? {
        let flags = prediction.flags
        let flagged = flags.filter { prediction.decisions[$0] == .flag }
        if !flagged.isEmpty {
            let top = flagged.map { prediction.scores[$0] ?? 1 }.max() ?? 1
            return Routing(priority: 2 + clamp(top), reason: "flag:" + flagged.joined(separator: ","))
        }
        let unsure = flags.filter { prediction.decisions[$0] == .unsure }
        if !unsure.isEmpty {
            let distance = unsure.map { flag in
                abs((prediction.scores[flag] ?? threshold(flag)) - threshold(flag))
            }.min() ?? 1
            return Routing(priority: 1 + (1 - clamp(distance)), reason: "unsure:" + unsure.joined(separator: ","))
        }
        guard configuration.clearSampleRate > 0,
            Double.random(in: 0..<1, using: &generator) < configuration.clearSampleRate
        else { return nil }
        let top = prediction.scores.values.max() ?? 0
        return Routing(priority: min(clamp(top), 0.999_999), reason: "sample:clear")
    }

    public func routing(for prediction: Prediction) -> Routing? {
        var generator = SystemRandomNumberGenerator()
        return routing(for: prediction, using: &generator)
    }

    private func threshold(_ flag: String) -> Double { configuration.thresholds[flag] ?? configuration.defaultThreshold }

    private func clamp(_ x: Double) -> Double { x.isFinite ? min(max(x, 0), 1) : 0 }
}
