import Bayes
import Features
import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// Training and scoring from `PostText` (the `train` / `classify` fast path) give exactly what
/// they give from `Post`: the same vocabulary, counts and log-odds, bit for bit.
@Suite("Fast path: training and scoring")
struct FastPathTests {
    static let files = ["Fixtures/corpus/train.jsonl", "Fixtures/corpus/test.jsonl"].map(TestSupport.path)

    @Test("a model trained from bytes equals one trained from posts; scores are identical")
    func sameModelAndScores() throws {
        for configuration in [NaiveBayesModel.Configuration(), { var c = NaiveBayesModel.Configuration(); c.features.binary = true; c.features.titleWeight = 2; return c }()] {
            var slow = NaiveBayesModel(configuration: configuration)
            var fast = NaiveBayesModel(configuration: configuration)
            var e1 = FeatureExtractor(configuration: configuration.features)
            var e2 = FeatureExtractor(configuration: configuration.features)
            for file in Self.files {
                try PostReader().forEachPost(in: file) { slow.learn($0, extractor: &e1) }
                try PostReader().forEachPostText(in: file) { fast.update(with: $0, extractor: &e2) }
            }
            #expect(fast.vocabulary.count == slow.vocabulary.count)
            #expect((0..<slow.vocabulary.count).allSatisfy { fast.vocabulary.token($0) == slow.vocabulary.token($0) })
            #expect(fast.totalCounts == slow.totalCounts)
            #expect(fast.flagCounts == slow.flagCounts)
            #expect(fast.documentCount == slow.documentCount)

            let scorer = Scorer(slow)
            var expected: [[Double]] = []
            try PostReader().forEachPost(in: Self.files[1]) { expected.append(scorer.logOdds($0, extractor: &e1)) }
            var k = 0
            try PostReader().forEachPostText(in: Self.files[1]) { post in
                #expect(scorer.logOdds(post, extractor: &e2).map(\.bitPattern) == expected[k].map(\.bitPattern))
                k += 1
            }
            #expect(k == expected.count && k > 100)
        }
    }
}
