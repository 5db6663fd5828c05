public import Features
import Posts

/// Naive Bayes per flag, one-vs-rest: for each flag, posts carrying it against posts without it.
///
/// The model is its counts (STYLE.md E4): how often each feature occurs overall and in posts with
/// each flag, and how many posts there were. Log-probabilities are derived from counts and the
/// configuration, so the model can learn more posts, un-learn a post whose label changed, and
/// merge with a shard trained elsewhere by adding counts.
public struct NaiveBayesModel: Sendable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Multinomial naive Bayes (scikit-learn's MultinomialNB).
        case multinomial
        /// Complement naive Bayes (scikit-learn's ComplementNB), often better on skewed classes.
        case complement
    }

    /// Hyperparameters: kept apart from learned state (STYLE.md C3).
    public struct Configuration: Sendable, Hashable, Codable {
        public var kind: Kind = .multinomial
        /// Lidstone smoothing: α added to every feature count.
        public var alpha: Double = 1.0
        /// Learn class priors from the data; otherwise each flag's prior is 50/50.
        public var fitPrior = true
        /// How tokens are extracted, including field weights.
        public var features = FeatureExtractor.Configuration()

        public init(kind: Kind = .multinomial, alpha: Double = 1.0, fitPrior: Bool = true) {
            self.kind = kind
            self.alpha = alpha
            self.fitPrior = fitPrior
        }
    }

    /// Where a flag's decision changes, as log-odds (probabilities saturate near 0 and 1).
    public struct Thresholds: Sendable, Hashable, Codable {
        /// At or above: `flag`.
        public var flagLogOdds: Double
        /// Below: `clear`; between the two: `unsure`.
        public var clearLogOdds: Double

        public init(flagLogOdds: Double = 0, clearLogOdds: Double = -4) {
            self.flagLogOdds = flagLogOdds
            self.clearLogOdds = min(clearLogOdds, flagLogOdds)
        }
    }

    public var configuration: Configuration
    /// The flags, in the order they were first seen in training labels.
    public internal(set) var flags: [String]
    public internal(set) var vocabulary: Vocabulary
    /// Labelled posts learned, and how many of them carried each flag.
    public internal(set) var documentCount: Double = 0
    public internal(set) var flagDocumentCounts: [Double]
    /// Weighted count of each feature over all learned posts.
    public internal(set) var totalCounts: [Double]
    /// Weighted count of each feature in posts carrying flag `f`: `flagCounts[f][feature]`.
    public internal(set) var flagCounts: [[Double]]
    public var thresholds: [String: Thresholds] = [:]

    public init(configuration: Configuration = Configuration(), flags: [String] = []) {
        self.configuration = configuration
        self.flags = flags
        self.vocabulary = Vocabulary()
        self.flagDocumentCounts = flags.map { _ in 0 }
        self.totalCounts = []
        self.flagCounts = flags.map { _ in [] }
    }

    init(
        configuration: Configuration, flags: [String], vocabulary: Vocabulary, documentCount: Double,
        flagDocumentCounts: [Double], totalCounts: [Double], flagCounts: [[Double]], thresholds: [String: Thresholds]
    ) {
        self.configuration = configuration
        self.flags = flags
        self.vocabulary = vocabulary
        self.documentCount = documentCount
        self.flagDocumentCounts = flagDocumentCounts
        self.totalCounts = totalCounts
        self.flagCounts = flagCounts
        self.thresholds = thresholds
    }

    public func thresholds(for flag: String) -> Thresholds { thresholds[flag] ?? Thresholds() }

    /// The decision for a flag at the given log-odds.
    public func decision(for flag: String, logOdds: Double) -> Decision {
        let t = thresholds(for: flag)
        if logOdds >= t.flagLogOdds { return .flag }
        if logOdds < t.clearLogOdds { return .clear }
        return .unsure
    }

    /// The index of a flag, adding it when new (earlier posts count as negatives for it).
    mutating func flagIndex(_ name: String) -> Int {
        if let i = flags.firstIndex(of: name) { return i }
        flags.append(name)
        flagDocumentCounts.append(0)
        flagCounts.append([Double](repeating: 0, count: vocabulary.count))
        return flags.count - 1
    }
}

/// What the router does with a post for one flag.
public enum Decision: String, Sendable, Codable, CaseIterable {
    case flag, unsure, clear
}

/// An error from training, loading or using a model. The message names the file or flag and
/// says what to do.
public struct ModelError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable { case io, truncated, badFormat, newerFormat, noTrainingData, degenerateFlag, badArgument }
        private let raw: Raw
        public static let io = Code(raw: .io)
        /// The file ends before the data its header promises.
        public static let truncated = Code(raw: .truncated)
        /// Not a SmuggleWatch model file, or damaged.
        public static let badFormat = Code(raw: .badFormat)
        /// Written by a newer SmuggleWatch.
        public static let newerFormat = Code(raw: .newerFormat)
        public static let noTrainingData = Code(raw: .noTrainingData)
        /// A flag with no positive or no negative examples.
        public static let degenerateFlag = Code(raw: .degenerateFlag)
        public static let badArgument = Code(raw: .badArgument)
        public var description: String { "\(raw)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
