import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// Flags are not hard-coded: the same commands train a `spam` model on real SMS data.
@Suite(
    "Spam model on the SMS Spam Collection",
    .enabled(if: TestSupport.sharedExternal("sms-spam-collection") != nil, "../shared/external/sms-spam-collection is absent")
)
struct SpamModelTests {
    @Test("train and eval a spam model: flags from the data, F1 above 0.9 on held-out messages")
    func spam() throws {
        let data = try String(contentsOfFile: TestSupport.sharedExternal("sms-spam-collection")! + "/SMSSpamCollection", encoding: .utf8)
        var seen = Set<String>()
        var train = "", test = ""
        var n = 0
        for line in data.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2, seen.insert(String(parts[1])).inserted else { continue }
            let post = Post(id: "sms:\(n)", description: String(parts[1]), labels: parts[0] == "spam" ? ["spam"] : [])
            if n % 5 == 0 { test += post.jsonLine + "\n" } else { train += post.jsonLine + "\n" }
            n += 1
        }
        #expect(n == 5171)
        let trainPath = try TestSupport.temporaryFile("train.jsonl", text: train)
        let testPath = try TestSupport.temporaryFile("test.jsonl", text: test)
        let model = try TestSupport.temporaryDirectory() + "/spam"
        let t = try TestSupport.smugglewatch(["train", "--input", trainPath, "--out", model, "--folds", "3"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stderr.contains("flags spam"))
        let e = try TestSupport.smugglewatch(["eval", "--model", model, "--input", testPath, "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
        let flags = try #require(report["flags"] as? [[String: Any]])
        #expect(flags.count == 1)
        let c = try #require(flags.first?["confusion"] as? [String: Int])
        let tp = Double(c["truePositives"]!), fp = Double(c["falsePositives"]!), fn = Double(c["falseNegatives"]!)
        let f1 = 2 * tp / (2 * tp + fp + fn)
        #expect(f1 > 0.9, "spam F1 \(f1)")
    }
}
