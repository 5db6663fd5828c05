import Bayes
import Features
import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// A small labelled set: enough words for the flags to separate.
let tinyCorpus: [Post] = [
    Post(id: "t:1", description: "how to cross the river at night avoid the patrol", labels: ["guidance"]),
    Post(id: "t:2", description: "route guide cross at night with a guide avoid checkpoints", labels: ["guidance"]),
    Post(id: "t:3", description: "guaranteed crossing 8000 USD whatsapp +1 555 0142", labels: ["contact"]),
    Post(id: "t:4", description: "pase garantizado DM me precio 9k", labels: ["contact"]),
    Post(id: "t:5", description: "the route at night, then DM me for the trip, guaranteed", labels: ["guidance", "contact"]),
    Post(id: "t:6", description: "news: report on smuggling networks advertising online", labels: []),
    Post(id: "t:7", description: "best tacos in town, come try them tonight", labels: []),
    Post(id: "t:8", description: "kayak river crossing safety for beginners", labels: []),
    Post(id: "t:9", description: "immigration lawyer consultations call 555 0100", labels: []),
]

func train(_ posts: [Post], configuration: NaiveBayesModel.Configuration = .init()) -> NaiveBayesModel {
    var model = NaiveBayesModel(configuration: configuration)
    var extractor = FeatureExtractor(configuration: configuration.features)
    for p in posts { model.learn(p, extractor: &extractor) }
    return model
}

/// Counts as a map from token text to (total, per-flag counts), independent of feature order.
func countsByToken(_ m: NaiveBayesModel) -> [String: [Double]] {
    var out: [String: [Double]] = [:]
    for i in 0..<m.vocabulary.count {
        let row = [m.totalCounts[i]] + m.flags.sorted().map { f in m.flagCounts[m.flags.firstIndex(of: f)!][i] }
        if row.contains(where: { $0 != 0 }) { out[m.vocabulary.token(i)] = row }
    }
    return out
}

@Suite("Naive Bayes model")
struct NaiveBayesTests {
    @Test("flags come from the labels in the data, in first-seen order")
    func flagsFromData() {
        let m = train(tinyCorpus)
        #expect(m.flags == ["guidance", "contact"])
        #expect(m.documentCount == 9)
        #expect(m.flagDocumentCounts == [3, 3])
        let spam = train([Post(id: "s:1", title: "win a prize now", labels: ["spam"]), Post(id: "s:2", title: "see you at lunch", labels: [])])
        #expect(spam.flags == ["spam"])
    }

    @Test("a post with flag words scores high for that flag and low for the other")
    func scoring() {
        let m = train(tinyCorpus)
        let scorer = Scorer(m)
        var extractor = FeatureExtractor()
        let d = scorer.logOdds(Post(id: "q:1", description: "cross at night avoid the patrol"), extractor: &extractor)
        #expect(d[0] > 0, "guidance log-odds \(d[0])")
        #expect(d[1] < d[0])
        let c = scorer.logOdds(Post(id: "q:2", description: "guaranteed, whatsapp 555 0199, 8000 USD"), extractor: &extractor)
        #expect(c[1] > 0, "contact log-odds \(c[1])")
    }

    @Test("un-learning a post gives exactly the counts of never having learned it")
    func unlearn() {
        var full = train(tinyCorpus)
        var extractor = FeatureExtractor()
        full.unlearn(tinyCorpus[2], extractor: &extractor)
        let without = train(tinyCorpus.enumerated().filter { $0.offset != 2 }.map(\.element))
        #expect(countsByToken(full) == countsByToken(without))
        #expect(full.documentCount == without.documentCount)
        #expect(full.flagDocumentCounts == without.flagDocumentCounts)
    }

    @Test("a changed label un-learns the old counts and learns the new; a rebuild agrees")
    func relabel() {
        var model = train(tinyCorpus)
        var extractor = FeatureExtractor()
        model.relabel(tinyCorpus[7], from: [], to: ["guidance"], extractor: &extractor)
        var changed = tinyCorpus
        changed[7].labels = ["guidance"]
        let rebuilt = train(changed)
        #expect(countsByToken(model) == countsByToken(rebuilt))
        #expect(model.flagDocumentCounts == rebuilt.flagDocumentCounts)
    }

    @Test("shards trained apart merge into the counts of one model trained on all")
    func merge() throws {
        var a = train(Array(tinyCorpus[0..<4]))
        let b = train(Array(tinyCorpus[4...]))
        try a.merge(b)
        let all = train(tinyCorpus)
        #expect(countsByToken(a) == countsByToken(all))
        #expect(a.documentCount == all.documentCount)
        // Scores agree too, though feature order differs.
        var e = FeatureExtractor()
        let q = Post(id: "q", description: "DM me for the route at night")
        let da = Scorer(a).logOdds(q, extractor: &e)
        let dall = Scorer(all).logOdds(q, extractor: &e)
        for (x, y) in zip(da, dall) { #expect(abs(x - y) < 1e-9) }
    }

    @Test("a flag with no negative examples is refused with a message naming it")
    func degenerateFlag() {
        let m = train([Post(id: "a", title: "x", labels: ["spam"]), Post(id: "b", title: "y", labels: ["spam"])])
        #expect {
            try m.validateForScoring()
        } throws: { error in
            "\(error)".contains("'spam'") && "\(error)".contains("0 negative")
        }
    }

    @Test("decisions follow the two thresholds")
    func decisions() {
        var m = train(tinyCorpus)
        m.thresholds["guidance"] = .init(flagLogOdds: 2, clearLogOdds: -1)
        #expect(m.decision(for: "guidance", logOdds: 2) == .flag)
        #expect(m.decision(for: "guidance", logOdds: 0) == .unsure)
        #expect(m.decision(for: "guidance", logOdds: -1.5) == .clear)
    }

    @Test("log-probabilities are normalised and stable for extreme log-odds")
    func logProbabilities() {
        for d in [-800.0, -30, -1, 0, 2.5, 40, 900] {
            let lp = Scorer.logProbabilities(logOdds: d)
            #expect(lp.negative.isFinite && lp.positive.isFinite)
            #expect(abs(exp(lp.negative) + exp(lp.positive) - 1) < 1e-12)
            #expect(abs((lp.positive - lp.negative) - d) < 1e-9 * max(1, abs(d)))
        }
    }

    @Test("explanations point at the words that drove a flag, with caption cue and time")
    func explanation() throws {
        let m = train(tinyCorpus)
        var extractor = FeatureExtractor()
        let post = Post(
            id: "q:3", title: "my trip", captions: [Cue(start: 0, end: 2, text: "hello"), Cue(start: 12.5, end: 15, text: "cross at night, avoid the patrol")])
        let score = Scorer(m).explain(post, model: m, extractor: &extractor, top: 3)
        let phrases = score.evidence.filter { $0.kind == .phrase && $0.flag == "guidance" }
        #expect(!phrases.isEmpty)
        let top = try #require(phrases.first)
        #expect(top.field == .captions)
        #expect(top.cue == 1)
        #expect(top.cueStart == 12.5)
        let cueText = Array(post.captions[1].text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(cueText[top.range[0]..<top.range[1]])) == top.text)
        #expect(phrases.allSatisfy { ($0.weight ?? 0) > 0 })
    }

    @Test("thresholds chosen on scored examples reach the target precision")
    func chooseThresholds() {
        var m = train(tinyCorpus)
        var examples: [ScoredExample] = []
        var rng = SeededGenerator(seed: 3)
        for k in 0..<400 {
            let positive = k % 4 == 0
            let d = (positive ? 2.0 : -2.0) + Double.random(in: -3...3, using: &rng)
            examples.append(ScoredExample(id: "\(k)", logOdds: [d, -5], labels: positive ? ["guidance"] : [], tags: []))
        }
        m.chooseThresholds(from: examples, targetPrecision: 0.9, targetRecall: 0.98)
        let report = m.evaluate(examples)
        let g = report.flags.first { $0.flag == "guidance" }!
        #expect(g.precision >= 0.9)
        #expect(g.recall > 0.2)
        let t = m.thresholds(for: "guidance")
        #expect(t.clearLogOdds <= t.flagLogOdds)
        // Recall at "unsure or above" reaches the target.
        let kept = examples.filter { $0.labels.contains("guidance") && $0.logOdds[0] >= t.clearLogOdds }.count
        #expect(Double(kept) / 100 >= 0.98)
    }
}

@Suite("Model files")
struct ModelFileTests {
    func saved() throws -> (NaiveBayesModel, String) {
        var m = train(tinyCorpus, configuration: .init(kind: .complement, alpha: 0.5, fitPrior: false))
        m.thresholds["contact"] = .init(flagLogOdds: 1.5, clearLogOdds: -2)
        let dir = try TestSupport.temporaryDirectory()
        let path = dir + "/model.swnb"
        try ModelFile.write(m, to: path)
        return (m, path)
    }

    @Test("a saved model loads with the same counts, settings, thresholds and scores")
    func roundTrip() throws {
        let (m, path) = try saved()
        let loaded = try ModelFile.load(path)
        #expect(loaded.flags == m.flags)
        #expect(loaded.configuration == m.configuration)
        #expect(loaded.thresholds == m.thresholds)
        #expect(countsByToken(loaded) == countsByToken(m))
        var e = FeatureExtractor()
        let q = Post(id: "q", description: "guaranteed crossing, DM me")
        #expect(Scorer(loaded).logOdds(q, extractor: &e) == Scorer(m).logOdds(q, extractor: &e))
        // A folder holding model.swnb loads too.
        let folder = (path as NSString).deletingLastPathComponent
        #expect(try ModelFile.load(folder).vocabulary.count == m.vocabulary.count)
    }

    @Test("a truncated model file is refused with a message naming the file", arguments: [0.999, 0.5, 0.01])
    func truncated(fraction: Double) throws {
        let (_, path) = try saved()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = path + ".cut"
        try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: cut))
        #expect {
            _ = try ModelFile.load(cut)
        } throws: { error in
            (error as? ModelError)?.code == .truncated && "\(error)".contains(cut)
        }
    }

    @Test("a model from a newer format version is refused, saying so")
    func newerVersion() throws {
        let (_, path) = try saved()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[8] = 2  // format version, little-endian UInt32 after the magic
        let newer = path + ".v2"
        try Data(bytes).write(to: URL(fileURLWithPath: newer))
        #expect {
            _ = try ModelFile.load(newer)
        } throws: { error in
            (error as? ModelError)?.code == .newerFormat && "\(error)".contains("format version 2") && "\(error)".contains(newer)
        }
    }

    @Test("a file that is not a model, or missing, gets a clear error")
    func notAModel() throws {
        let junk = try TestSupport.temporaryFile("junk.swnb", text: "{\"id\": \"not a model\"}")
        #expect {
            _ = try ModelFile.load(junk)
        } throws: { error in
            (error as? ModelError)?.code == .badFormat && "\(error)".contains(junk)
        }
        #expect {
            _ = try ModelFile.load("/nonexistent/model.swnb")
        } throws: { error in
            (error as? ModelError)?.code == .io && "\(error)".contains("/nonexistent/model.swnb")
        }
    }
}
