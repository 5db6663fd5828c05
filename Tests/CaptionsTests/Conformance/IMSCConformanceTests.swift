import Captions
import Foundation
import Testing

/// W3C IMSC test documents (321 TTML): all must parse; change points must equal the times of the upstream
/// exemplar renderings (expected_isd_times.json) for at least 90% of the tests.
@Suite(.enabled(if: External.isAvailable("ttml-imsc-tests"), "../shared/external/ttml-imsc-tests is absent"))
struct IMSCConformanceTests {
    @Test func allDocumentsParse() throws {
        let root = External.url("ttml-imsc-tests")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "ttml" }
        var tally = Tally()
        for file in files {
            do {
                _ = try TTMLDocument(bytes: Array(try Data(contentsOf: file)), url: file.lastPathComponent)
                tally.check(true, "")
            } catch {
                tally.check(false, "\(file.lastPathComponent): \(error)")
            }
        }
        tally.report("IMSC documents parsed")
        #expect(tally.total >= 300)
        #expect(tally.rate == 1.0)
    }

    @Test func changePointsMatchExemplarRenderings() throws {
        let expectations = try #require(try External.json("ttml-imsc-tests/expected_isd_times.json") as? [String: Any])
        let suites = (expectations["suites"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [[String: Any]] }
        #expect(!suites.isEmpty)
        var tally = Tally()
        for (_, tests) in suites.sorted(by: { $0.key < $1.key }) {
            for test in tests {
                guard let path = test["ttml"] as? String, let times = test["isd_times_s"] as? [NSNumber], !times.isEmpty else { continue }
                let want = times.map(\.doubleValue)
                let document = try? TTMLDocument(bytes: External.bytes("ttml-imsc-tests/" + path), url: path)
                let got = document?.changePoints ?? []
                let same = got.count == want.count && zip(got, want).allSatisfy { abs($0 - $1) < 1e-3 }
                tally.check(same, "\(test["test"] ?? path): expected \(want), got \(got)")
            }
        }
        tally.report("IMSC change points = exemplar ISD times")
        #expect(tally.rate >= 0.90)
    }
}
