import Bayes
import Features
import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// `classify`'s score-line writer must write exactly the bytes `PostScore.write` writes.
@Suite("Score lines")
struct ScoreLineWriterTests {
    /// The line `PostScore.write` gives (what `classify --explain` and `--log-proba` still use).
    static func reference(_ model: NaiveBayesModel, label: String, id: String, logOdds: [Double]) -> [UInt8] {
        let score = PostScore(
            id: id, logOdds: logOdds, decisions: model.flags.enumerated().map { model.decision(for: $1, logOdds: logOdds[$0]) })
        var w = JSONWriter()
        score.write(to: &w, model: label, flags: model.flags)
        return w.bytes
    }

    @Test("same bytes as PostScore.write: probabilities at every rounding edge, thresholds, escapes")
    func sameBytes() throws {
        var model = NaiveBayesModel(flags: ["guidance", "contact", "q\"uote\\d", "ctl\u{01}\n"])
        model.thresholds["guidance"] = .init(flagLogOdds: 1.5, clearLogOdds: -2)
        model.thresholds["contact"] = .init(flagLogOdds: 0, clearLogOdds: 0)
        model.thresholds["q\"uote\\d"] = .init(flagLogOdds: -1, clearLogOdds: -7)
        var values: [Double] = [0, -0.0, 1, -1, 2.5, -2.5, 7, -7, 9.21, -9.21, 9.2103, 20, -20, 40, -40, 800, -800, 1e300, -1e300, .infinity, -.infinity]
        // Log-odds whose probability lands on or next to a rounding edge (x.xxxx5).
        for k in stride(from: 0, through: 10_000, by: 7) {
            let p = (Double(k) + 0.5) / 10_000
            let d = log(p / (1 - p))
            values += [d, d.nextUp, d.nextDown]
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(Double.random(in: -30...30, using: &rng)) }
        let ids = ["bench:1", "x", "", "q\"uote", "back\\slash", "tab\there", "nl\nx", "ctl\u{1F}\u{01}", "ñandú 微信 😀", "/slash/"]
        for label in ["model@1", "we\"ird\\label"] {
            let writer = ScoreLineWriter(model: model, label: label)
            for (k, v) in values.enumerated() {
                let logOdds = [v, values[(k * 7) % values.count], -v, values[(k * 13 + 5) % values.count]]
                let id = ids[k % ids.count]
                var got: [UInt8] = []
                writer.write(id: id, logOdds: logOdds, to: &got)
                let expected = Self.reference(model, label: label, id: id, logOdds: logOdds)
                #expect(got == expected, "\(String(decoding: got, as: UTF8.self)) vs \(String(decoding: expected, as: UTF8.self))")
                if got != expected { return }
            }
        }
    }

    @Test("a model without flags, and the fixture model's lines for the test split")
    func edgeModels() throws {
        let empty = NaiveBayesModel()
        var got: [UInt8] = []
        ScoreLineWriter(model: empty, label: "m").write(id: "a", logOdds: [], to: &got)
        #expect(got == Self.reference(empty, label: "m", id: "a", logOdds: []))

        var model = NaiveBayesModel()
        var extractor = FeatureExtractor()
        try PostReader().forEachPost(in: TestSupport.path("Fixtures/corpus/train.jsonl")) { model.learn($0, extractor: &extractor) }
        let scorer = Scorer(model)
        let writer = ScoreLineWriter(model: model, label: "default@1")
        var lines = 0
        try PostReader().forEachPostText(in: TestSupport.path("Fixtures/corpus/test.jsonl"), readingLabels: false) { post in
            let d = scorer.logOdds(post, extractor: &extractor)
            var line: [UInt8] = []
            writer.write(id: post.id, logOdds: d, to: &line)
            #expect(line == Self.reference(model, label: "default@1", id: post.id, logOdds: d))
            lines += 1
        }
        #expect(lines > 100)
    }
}
