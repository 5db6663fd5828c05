import Foundation
import Testing
@testable import Fetchers

/// extruct's JSON-LD and OpenGraph cases (../shared/external/extruct-jsonld-opengraph): values compared, not layout.
@Suite struct ExtructConformanceTests {
    static let root = externalRoot?.appendingPathComponent("extruct-jsonld-opengraph")

    @Test(.enabled(if: root != nil, "../shared/external/extruct-jsonld-opengraph is absent"))
    func jsonLDAndOpenGraph() throws {
        let root = try #require(Self.root)
        let manifest = try JSONValue(parsing: [UInt8](Data(contentsOf: root.appendingPathComponent("manifest.json"))))
        var passed = 0, total = 0
        for c in manifest["cases"]?.array ?? [] {
            total += 1
            let kind = c["kind"]!.string!
            let html: [UInt8]
            let name: String
            if let input = c["input"]?.string {
                html = try [UInt8](Data(contentsOf: root.appendingPathComponent(input)))
                name = input
            } else {
                html = Array((c["input_inline"]?.string ?? "").utf8)
                name = "inline"
            }
            let expected: JSONValue
            if let e = c["expected"]?.string {
                expected = try JSONValue(parsing: [UInt8](Data(contentsOf: root.appendingPathComponent(e))))
            } else {
                expected = c["expected_inline"] ?? .array([])
            }
            let page = try HTMLPage(bytes: html, url: name)
            var ok = false
            switch kind {
            case "jsonld":
                ok = JSONValue.array(page.jsonLD) == expected
            case "opengraph":
                let props = expected.array?.first?["properties"]?.array?.map { $0.strings } ?? []
                ok = page.openGraph.map { [$0.property, $0.content] } == props
            case "opengraph_uniform":
                let object = expected.array?.first
                var firsts: [String: String] = [:]
                for (p, v) in page.openGraph where firsts[p] == nil { firsts[p] = v }
                ok = object.map { o in
                    o.keys.filter { !$0.hasPrefix("@") }.allSatisfy { firsts[$0] == o[$0]?.string } && o["@type"]?.string == firsts["og:type"]
                } ?? false
            default:
                continue
            }
            if ok { passed += 1 } else { print("  [fail] \(kind) \(name)") }
        }
        let rate = Double(passed) / Double(max(total, 1))
        print("[conformance] extruct JSON-LD/OpenGraph: \(passed)/\(total) = \(String(format: "%.1f", rate * 100))%")
        #expect(total == 15)
        #expect(rate >= 0.9)
    }
}
