import Bayes
import Features
import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// The same count vectors and α through SmuggleWatch and scikit-learn: per-flag log-probabilities
/// and feature log-probabilities agree to 1e-9. Needs a python with scikit-learn (Scripts/test.sh
/// makes one and sets SMUGGLEWATCH_SKLEARN_PYTHON).
@Suite("Parity with scikit-learn", .enabled(if: TestSupport.sklearnPython != nil, "no python with scikit-learn: run Scripts/test.sh, or set SMUGGLEWATCH_SKLEARN_PYTHON"))
struct SklearnParityTests {
    static let configurations: [NaiveBayesModel.Configuration] = [
        .init(kind: .multinomial, alpha: 1.0, fitPrior: true),
        .init(kind: .multinomial, alpha: 0.3, fitPrior: false),
        .init(kind: .complement, alpha: 1.0, fitPrior: true),
        .init(kind: .complement, alpha: 0.05, fitPrior: true),
    ]

    /// Token counts of a post as (feature index, count) over the model's vocabulary.
    static func vector(_ post: Post, _ model: NaiveBayesModel, _ extractor: inout FeatureExtractor) -> [(feature: Int, count: Double)] {
        var sink = CollectingSink()
        extractor.extract(post, into: &sink)
        return sink.order.compactMap { token in
            model.vocabulary.index(of: TokenHash.hash(token)).map { ($0, sink.counts[token]!) }
        }
    }

    @Test("log-probabilities match MultinomialNB and ComplementNB on the corpus", arguments: configurations)
    func parity(configuration: NaiveBayesModel.Configuration) throws {
        let reader = PostReader()
        let trainPosts = try reader.readAll([TestSupport.path("Fixtures/corpus/train.jsonl")])
        let testPosts = Array(try reader.readAll([TestSupport.path("Fixtures/corpus/test.jsonl")]).prefix(120))
        var model = NaiveBayesModel(configuration: configuration)
        var extractor = FeatureExtractor(configuration: configuration.features)
        for p in trainPosts { model.learn(p, extractor: &extractor) }
        let scorer = Scorer(model)

        func rows(_ posts: [Post]) -> [[[Double]]] {
            posts.map { p in Self.vector(p, model, &extractor).map { [Double($0.feature), $0.count] } }
        }
        var labels: [String: [Int]] = [:]
        for flag in model.flags { labels[flag] = trainPosts.map { $0.labels!.contains(flag) ? 1 : 0 } }
        let spec: [String: Any] = [
            "kind": configuration.kind.rawValue, "alpha": configuration.alpha, "fit_prior": configuration.fitPrior,
            "n_features": model.vocabulary.count, "train": rows(trainPosts), "test": rows(testPosts), "labels": labels,
        ]
        let dir = try TestSupport.temporaryDirectory()
        let specPath = dir + "/spec.json"
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        let result = try TestSupport.run(TestSupport.sklearnPython!, [TestSupport.path("Scripts/sklearn_parity.py"), specPath])
        #expect(result.status == 0, "\(result.stderr)")
        let sk = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: [[Double]]]])

        var worst = 0.0
        for (f, flag) in model.flags.enumerated() {
            let skProba = try #require(sk[flag]?["log_proba"])
            #expect(skProba.count == testPosts.count)
            for (k, post) in testPosts.enumerated() {
                let d = scorer.logOdds(vector: Self.vector(post, model, &extractor))[f]
                let ours = Scorer.logProbabilities(logOdds: d)
                worst = max(worst, abs(ours.negative - skProba[k][0]), abs(ours.positive - skProba[k][1]))
            }
            let skFeature = try #require(sk[flag]?["feature_log_prob"])
            let ourFeature = scorer.featureLogProbabilities(flag: f)
            for c in 0..<2 {
                for i in 0..<model.vocabulary.count { worst = max(worst, abs(ourFeature[c][i] - skFeature[c][i])) }
            }
        }
        #expect(worst <= 1e-9, "largest difference from scikit-learn: \(worst)")
        // The text path (posts through the extractor) agrees with the vector path.
        let viaText = scorer.logOdds(testPosts[0], extractor: &extractor)
        let viaVector = scorer.logOdds(vector: Self.vector(testPosts[0], model, &extractor))
        for (a, b) in zip(viaText, viaVector) { #expect(abs(a - b) < 1e-9) }
    }
}
