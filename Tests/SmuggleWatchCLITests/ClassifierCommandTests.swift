import Foundation
import SmuggleWatchTesting
import Testing

/// End-to-end: the built executable, real files, stdout and exit codes (STYLE.md H7).
@Suite("smugglewatch train / classify / eval / features")
struct ClassifierCommandTests {
    static let train = TestSupport.path("Fixtures/corpus/train.jsonl")
    static let test = TestSupport.path("Fixtures/corpus/test.jsonl")

    /// One model for the whole suite, trained once through the CLI.
    static let model = Result { () throws -> String in
        let dir = try TestSupport.temporaryDirectory() + "/model"
        let r = try TestSupport.smugglewatch(["train", "--input", train, "--out", dir, "--alpha", "0.3", "--binary", "--folds", "3", "--test", test])
        guard r.status == 0, r.stderr.contains("held-out test:") else { throw CLIError(message: r.stderr) }
        return dir
    }

    struct CLIError: Error { var message: String }

    func trainedModel() throws -> String { try Self.model.get() }

    func lines(_ s: String) throws -> [[String: Any]] {
        try s.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("train writes a model and a card; classify writes one score line per post")
    func trainAndClassify() throws {
        let model = try trainedModel()
        let card = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model + "/card.json"))) as? [String: Any])
        #expect(card["flags"] as? [String] == ["guidance", "contact"])
        #expect((card["vocabularySize"] as? Int ?? 0) > 1000)
        let heldOut = try #require(card["heldOut"] as? [String: Any])
        #expect((heldOut["macroF1"] as? Double ?? 0) > 0.8)

        let posts = """
            {"id":"q:1","description":"te explico la ruta: cruzar de noche por el río y evitar los retenes, así lo hice yo"}
            {"id":"q:2","title":"Pase garantizado a USA","description":"8 mil dólares, mitad al salir. WhatsApp +52 55 5555 0142"}
            {"id":"q:3","title":"Receta de tacos al pastor","description":"marinar la carne toda la noche"}
            """
        let r = try TestSupport.smugglewatch(["classify", "--model", model, "-"], stdin: posts)
        #expect(r.status == 0, "\(r.stderr)")
        let scores = try lines(r.stdout)
        #expect(scores.map { $0["id"] as? String } == ["q:1", "q:2", "q:3"])
        func p(_ k: Int, _ flag: String) -> Double { ((scores[k]["scores"] as? [String: Double])?[flag]) ?? -1 }
        func decision(_ k: Int, _ flag: String) -> String? { (scores[k]["decision"] as? [String: String])?[flag] }
        #expect(p(0, "guidance") > 0.5)
        #expect(p(1, "contact") > 0.5)
        #expect(decision(2, "guidance") != "flag" && decision(2, "contact") != "flag")
        #expect(scores[0]["model"] as? String == "model@1")
        #expect(scores[0]["evidence"] == nil)
    }

    @Test("--explain adds phrases with flag and weight, and contacts with normalised values")
    func explain() throws {
        let model = try trainedModel()
        let post = #"{"id":"q:2","title":"Pase garantizado","captions":[{"start":3.5,"end":6,"text":"escríbeme al wa.me/5215555550123 precio 8 mil dólares"}]}"#
        let r = try TestSupport.smugglewatch(["classify", "--model", model, "--explain", "-"], stdin: post)
        #expect(r.status == 0, "\(r.stderr)")
        let score = try #require(try lines(r.stdout).first)
        let evidence = try #require(score["evidence"] as? [[String: Any]])
        let whatsapp = try #require(evidence.first { $0["kind"] as? String == "whatsapp" })
        #expect(whatsapp["value"] as? String == "+5215555550123")
        #expect(whatsapp["field"] as? String == "captions")
        #expect(whatsapp["cue"] as? Int == 0)
        #expect(whatsapp["start"] as? Double == 3.5)
        #expect(evidence.contains { $0["kind"] as? String == "price" && $0["value"] as? String == "8000 USD" })
        let phrases = evidence.filter { $0["kind"] as? String == "phrase" }
        #expect(!phrases.isEmpty)
        #expect(phrases.allSatisfy { ($0["weight"] as? Double ?? 0) > 0 && $0["flag"] != nil })
    }

    @Test("eval prints per-flag metrics and writes an HTML report with SVG charts")
    func eval() throws {
        let model = try trainedModel()
        let report = try TestSupport.temporaryDirectory() + "/report"
        let r = try TestSupport.smugglewatch(["eval", "--model", model, "--input", Self.test, "--report", report])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("macro-F1"))
        #expect(r.stdout.contains("hard negatives flagged"))
        let html = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("precision-recall curve for guidance"))
        #expect(html.contains("confusion matrix for contact"))
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report + "/metrics.json"))) as? [String: Any])
        #expect(metrics["examples"] as? Int == 474)
    }

    @Test("features prints the token counts the model sees")
    func features() throws {
        let r = try TestSupport.smugglewatch(["features", "-"], stdin: #"{"id":"a:1","title":"Cómo CRUZAR","hashtags":["走线"],"labels":[]}"#)
        #expect(r.status == 0, "\(r.stderr)")
        let line = try #require(try lines(r.stdout).first)
        let tokens = try #require(line["tokens"] as? [String: Double])
        #expect(tokens["como"] == 1 && tokens["cruzar"] == 1 && tokens["como cruzar"] == 1)
        #expect(tokens["走线"] == 1 && tokens["#走线"] == 1)
        #expect(line["labels"] as? [String] == [])
    }

    @Test("bad input: a clear message naming file and line, exit 1; usage errors exit 2")
    func badInput() throws {
        let model = try trainedModel()
        let bad = try TestSupport.temporaryFile(text: "{\"id\":\"a:1\",\"title\":\"ok\"}\n{oops\n")
        // Default: skip with a warning, go on, exit 0.
        let lenient = try TestSupport.smugglewatch(["classify", "--model", model, bad])
        #expect(lenient.status == 0)
        #expect(lenient.stdout.split(separator: "\n").count == 1)
        #expect(lenient.stderr.contains("line 2 of \(bad)"))
        #expect(lenient.stderr.contains("skipped 1 bad line"))
        // --strict: stop, exit 1.
        let strict = try TestSupport.smugglewatch(["classify", "--model", model, "--strict", bad])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("Error: could not read line 2 of \(bad)"))
        // Empty file.
        let empty = try TestSupport.temporaryFile(text: "")
        let e = try TestSupport.smugglewatch(["classify", "--model", model, empty])
        #expect(e.status == 1 && e.stderr.contains("\(empty) holds no posts"))
        // Truncated model.
        let cut = try TestSupport.temporaryDirectory() + "/model.swnb"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model + "/model.swnb"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let t = try TestSupport.smugglewatch(["classify", "--model", cut, "-"], stdin: "{\"id\":\"a\",\"title\":\"x\"}")
        #expect(t.status == 1 && t.stderr.contains("model '\(cut)' is truncated"))
        // Usage errors.
        let usage = try TestSupport.smugglewatch(["train", "--input", Self.train, "--out", "/tmp/x", "--alpha", "0"])
        #expect(usage.status == 2 && usage.stderr.contains("--alpha must be greater than 0"))
        let unknown = try TestSupport.smugglewatch(["classify", "--no-such-flag"])
        #expect(unknown.status == 2)
        // Training data without both classes for a flag.
        let oneSided = try TestSupport.temporaryFile(text: "{\"id\":\"a\",\"title\":\"x\",\"labels\":[\"spam\"]}\n")
        let d = try TestSupport.smugglewatch(["train", "--input", oneSided, "--out", try TestSupport.temporaryDirectory()])
        #expect(d.status == 1 && d.stderr.contains("flag 'spam' has 1 positive and 0 negative posts"))
    }
}
