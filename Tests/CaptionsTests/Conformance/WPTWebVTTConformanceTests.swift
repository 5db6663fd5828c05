import Captions
import Foundation
import Testing

/// W3C web-platform-tests WebVTT file parsing (40 files, 449 assertions) and cue text parsing (77 cases).
@Suite(.enabled(if: External.isAvailable("wpt-webvtt-file-parsing"), "../shared/external/wpt-webvtt-file-parsing is absent"))
struct WPTWebVTTConformanceTests {
    /// The value a WPT path names on our parse result, as a JSON-like value.
    private static func value(of path: [Any], in document: WebVTTDocument) -> Any? {
        guard path.count >= 2, path[0] as? String == "cues" else { return nil }
        if path[1] as? String == "length" { return document.cues.count }
        guard let index = path[1] as? Int, document.cues.indices.contains(index) else { return Missing() }
        let cue = document.cues[index]
        guard path.count >= 3, let property = path[2] as? String else { return nil }
        switch property {
        case "id": return cue.id
        case "text": return cue.text
        case "startTime": return cue.startTime
        case "endTime": return cue.endTime
        case "line": return cue.line.map { $0 as Any } ?? "auto"
        case "snapToLines": return cue.snapToLines
        case "lineAlign": return cue.lineAlign.rawValue
        case "position": return cue.position.map { $0 as Any } ?? "auto"
        case "positionAlign": return cue.positionAlign.rawValue
        case "size": return cue.size
        case "align": return cue.align.rawValue
        case "vertical": return cue.vertical.rawValue
        case "region":
            guard let r = cue.region else { return NSNull() }
            if path.count == 3 { return RegionRef(index: r) }
            let region = document.regions[r]
            switch path[3] as? String {
            case "id": return region.id
            case "width": return region.width
            case "lines": return region.lines
            case "regionAnchorX": return region.regionAnchorX
            case "regionAnchorY": return region.regionAnchorY
            case "viewportAnchorX": return region.viewportAnchorX
            case "viewportAnchorY": return region.viewportAnchorY
            case "scroll": return region.scroll.rawValue
            default: return nil
            }
        default: return nil
        }
    }

    private struct Missing {}
    private struct RegionRef: Equatable { var index: Int }

    /// testharness `assert_equals` (SameValue) between our value and the expected JSON value.
    private static func sameValue(_ actual: Any?, _ expected: Any?) -> Bool {
        if let e = expected as? [String: Any], let special = e["$number"] as? String, let a = actual as? Double {
            switch special {
            case "NaN": return a.isNaN
            case "Infinity": return a == .infinity
            case "-Infinity": return a == -.infinity
            case "-0": return a == 0 && a.sign == .minus
            default: return false
            }
        }
        if expected is NSNull || expected == nil { return actual is NSNull }
        if let e = expected as? NSNumber, String(cString: e.objCType) == "c" { return (actual as? Bool) == e.boolValue }
        if let e = expected as? NSNumber {
            if let a = actual as? Double { return a == e.doubleValue && !(a == 0 && a.sign == .minus) }
            if let a = actual as? Int { return Double(a) == e.doubleValue }
            return false
        }
        if let e = expected as? String { return (actual as? String) == e }
        return false
    }

    static let coreProperties: Set<String> = ["length", "id", "text", "startTime", "endTime"]

    @Test func fileParsing() throws {
        let root = try #require(try External.json("wpt-webvtt-file-parsing/expectations.json") as? [String: Any])
        let tests = try #require(root["tests"] as? [[String: Any]])
        var core = Tally()
        var all = Tally()
        for test in tests {
            let name = test["name"] as? String ?? "?"
            let input = "wpt-webvtt-file-parsing/" + (test["input"] as? String ?? "")
            let bytes = try External.bytes(input)
            let document = try? WebVTTDocument(bytes: bytes, url: input)
            if test["expect_load"] as? String == "failure" {
                core.check(document == nil, "\(name): should be rejected")
                all.check(document == nil, "\(name): should be rejected")
                continue
            }
            guard let document else {
                core.check(false, "\(name): rejected")
                all.check(false, "\(name): rejected")
                continue
            }
            for assertion in test["assertions"] as? [[String: Any]] ?? [] {
                if assertion["host_only"] as? Bool == true { continue }
                let path = assertion["path"] as? [Any] ?? []
                guard path.first as? String == "cues" else { continue }
                let actual = Self.value(of: path, in: document)
                let ok: Bool
                switch assertion["op"] as? String {
                case "equals": ok = Self.sameValue(actual, assertion["expected"])
                case "not_equals": ok = !Self.sameValue(actual, assertion["expected"])
                case "same_object_as", "not_same_object_as":
                    let other = Self.value(of: assertion["expected_path"] as? [Any] ?? [], in: document)
                    let same = (actual as? RegionRef) != nil && (actual as? RegionRef) == (other as? RegionRef)
                    ok = assertion["op"] as? String == "same_object_as" ? same : !same
                default: ok = false
                }
                let what = "\(name): \(assertion["path_str"] ?? "") \(assertion["op"] ?? "") \(assertion["expected"] ?? assertion["expected_path_str"] ?? "nil"), got \(actual ?? "nil")"
                all.check(ok, what)
                let property = path.count == 2 ? "length" : (path[2] as? String ?? "")
                if Self.coreProperties.contains(property) { core.check(ok, what) }
            }
        }
        core.report("WPT WebVTT file parsing (timing, ids, text, counts)")
        all.report("WPT WebVTT file parsing (all cue/region assertions)")
        #expect(core.rate >= 0.95)
        #expect(all.rate >= 0.90)
    }

    /// html5lib-style dump of the DOM fragment a cue's text converts to.
    static func dump(_ nodes: [WebVTTNode], depth: Int = 0) -> String {
        var out = ""
        let indent = "| " + String(repeating: "  ", count: depth)
        for node in nodes {
            switch node {
            case .text(let s): out += "\(indent)\"\(s)\"\n"
            case .timestamp(let t): out += "\(indent)<?timestamp \(WebVTTTimestampFormat.format(t))>\n"
            case .element(let e):
                let tag: String
                switch e.kind {
                case .class, .voice, .language: tag = "span"
                default: tag = e.kind.rawValue
                }
                out += "\(indent)<\(tag)>\n"
                var attributes: [(String, String)] = []
                if !e.classes.isEmpty { attributes.append(("class", e.classes.joined(separator: " "))) }
                if e.kind == .language { attributes.append(("lang", e.annotation ?? "")) }
                if e.kind == .voice { attributes.append(("title", e.annotation ?? "")) }
                for (k, v) in attributes.sorted(by: { $0.0 < $1.0 }) { out += "\(indent)  \(k)=\"\(v)\"\n" }
                out += dump(e.children, depth: depth + 1)
            }
        }
        return out
    }

    @Test func cueTextParsing() throws {
        var tally = Tally()
        for file in ["entities", "tags", "text", "timestamps", "tree-building"] {
            let cases = try #require(try External.json("wpt-webvtt-cue-text-parsing/\(file).json") as? [[String: Any]])
            for (n, c) in cases.enumerated() {
                var text = c["text"] as? String ?? ""
                if text.hasSuffix("\n") { text.removeLast() }
                var expected = c["expectedTree"] as? String ?? ""
                if expected.hasSuffix("\n") { expected.removeLast() }
                // As the WPT harness does: the case text is the payload of one cue in a file.
                let file = "WEBVTT\n\n00:00.000 --> 00:01.000\n" + text
                let document = try WebVTTDocument(bytes: Array(file.utf8), url: "\(file)#\(n)")
                var actual = document.cues.first.map { Self.dump($0.nodes) } ?? ""
                if actual.hasSuffix("\n") { actual.removeLast() }
                tally.check(actual == expected, "\(file)#\(n) \(text.debugDescription): expected \(expected.debugDescription), got \(actual.debugDescription)")
            }
        }
        tally.report("WPT WebVTT cue text parsing")
        #expect(tally.rate >= 0.95)
    }
}

enum WebVTTTimestampFormat {
    static func format(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):\(pad(ms / 1000 % 60, 2)).\(pad(ms % 1000, 3))"
    }
}
