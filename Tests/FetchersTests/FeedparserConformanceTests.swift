import Foundation
import Testing
@testable import Fetchers

/// feedparser's well-formed corpus (../shared/external/feedparser): titles, links and descriptions.
///
/// Scope: `tests/wellformed/**` except `sanitize/` and `base/` (feedparser's own HTML-sanitiser and xml:base
/// policies, which SOURCE.md says to use selectively), whose translated assertions all concern `title`, `link`,
/// `description`, `summary`, `subtitle` or `tagline` of the feed or an entry.
@Suite struct FeedparserConformanceTests {
    static let root = externalRoot?.appendingPathComponent("feedparser")

    static let fields: Set<String> = ["title", "link", "description", "summary", "subtitle", "tagline"]

    static func value(_ feed: Feed, _ path: [Any]) -> String?? {
        guard let top = path.first as? String else { return .none }
        if top == "feed", path.count == 2, let f = path[1] as? String {
            switch f {
            case "title": return .some(feed.title)
            case "link": return .some(feed.link)
            default: return .some(feed.description)
            }
        }
        if top == "entries", path.count == 3, let i = path[1] as? Int, let f = path[2] as? String {
            guard i < feed.entries.count else { return .some(nil) }
            let e = feed.entries[i]
            switch f {
            case "title": return .some(e.title)
            case "link": return .some(e.link)
            default: return .some(e.description)
            }
        }
        return .none
    }

    @Test(.enabled(if: root != nil, "../shared/external/feedparser is absent"))
    func titlesLinksAndDescriptions() throws {
        let root = try #require(Self.root)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("index.json"))) as! [String: Any]
        let cases = index["cases"] as! [[String: Any]]
        var total = 0, passed = 0
        var failures: [String] = []
        for c in cases where c["group"] as? String == "wellformed" {
            let file = c["file"] as! String
            if file.contains("/sanitize/") || file.contains("/base/") { continue }
            guard let assertions = c["assertions"] as? [[String: Any]] else { continue }
            let fieldAssertions = assertions.filter { ($0["path"] as! [Any]).first as? String != "bozo" }
            guard !fieldAssertions.isEmpty, fieldAssertions.allSatisfy({ a in
                let p = a["path"] as! [Any]
                return (p.first as? String == "feed" && p.count == 2 || p.first as? String == "entries" && p.count == 3)
                    && Self.fields.contains(p.last as? String ?? "")
            }) else { continue }
            total += 1
            let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent(file)))
            let feed: Feed
            // feedparser's harness serves these files at http://127.0.0.1:8097/<file> with the headers in the case.
            let url = c["served_over_http"] as? Bool == true ? "http://127.0.0.1:8097/" + file : file
            let contentLocation = (c["http_headers"] as? [String: String])?.first { $0.key.lowercased() == "content-location" }?.value
            do { feed = try Feed(bytes: bytes, url: url, contentLocation: contentLocation) } catch {
                failures.append("\(file): \(error)")
                continue
            }
            var ok = true
            for a in fieldAssertions {
                let op = a["op"] as! String
                guard case .some(let got) = Self.value(feed, a["path"] as! [Any]) else { ok = false; break }
                let expected = a["value"] as? String
                switch op {
                case "==": ok = ok && got == expected
                case "!=": ok = ok && got != expected
                case "in", "contains": ok = ok && (got.map { g in expected.map { g.contains($0) || $0.contains(g) } ?? false } ?? false)
                case "truthy": ok = ok && !(got ?? "").isEmpty
                case "falsy": ok = ok && (got ?? "").isEmpty
                default: ok = false
                }
                if !ok { failures.append("\(file): \(a["path"]!) \(op) \(expected.debugDescription), got \(got.debugDescription)"); break }
            }
            if ok { passed += 1 }
        }
        let rate = Double(passed) / Double(max(total, 1))
        print("[conformance] feedparser wellformed titles/links/descriptions: \(passed)/\(total) = \(String(format: "%.1f", rate * 100))%")
        for f in failures.prefix(40) { print("  [fail] \(f)") }
        #expect(total > 150)
        #expect(rate >= 0.90)
    }

    /// Every file of the corpus (ill-formed, encodings, entities included) gives a feed or an error; none crashes.
    @Test(.enabled(if: root != nil, "../shared/external/feedparser is absent"))
    func wholeCorpusNeverCrashes() throws {
        let root = try #require(Self.root)
        let tests = root.appendingPathComponent("tests")
        let files = FileManager.default.enumerator(atPath: tests.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".xml") }
        var parsed = 0, errors = 0, illformedErrors = 0, illformed = 0
        for f in files {
            let bytes = try [UInt8](Data(contentsOf: tests.appendingPathComponent(f)))
            do { _ = try Feed(bytes: bytes, url: f); parsed += 1 } catch {
                errors += 1
                #expect(error.message.contains(f), "the error names the file")
                if f.hasPrefix("illformed/") { illformedErrors += 1 }
            }
            if f.hasPrefix("illformed/") { illformed += 1 }
        }
        print("[conformance] feedparser corpus: \(files.count) files, \(parsed) parsed, \(errors) clear errors (ill-formed: \(illformedErrors)/\(illformed) rejected), 0 crashes")
        #expect(files.count > 2000)
    }
}
