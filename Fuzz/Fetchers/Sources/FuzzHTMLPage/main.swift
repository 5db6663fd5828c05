@testable import Fetchers

/// libFuzzer entry point: HTML post pages (OpenGraph, Twitter card, lenient JSON-LD) and source detection.
///
/// Differential: the event path (`HTMLPage(bytes:)`, libxml2 SAX) must give exactly what the tree path
/// (`HTMLPage(treeOf:)`) gives, post and error alike; a difference traps like a crash. (`@testable` works because
/// the fuzz build is a debug build, which SwiftPM compiles with testing enabled.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTMLPage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let events = describe { try HTMLPage(bytes: bytes, url: "fuzz.html") }
    let tree = describe { try HTMLPage(treeOf: bytes, url: "fuzz.html") }
    if events != tree { fatalError("event and tree paths differ:\n\(events)\n---\n\(tree)") }
    _ = SourceKind.detect(bytes: bytes, url: "fuzz")
    return 0
}

func describe(_ parse: () throws -> HTMLPage) -> String {
    do {
        let page = try parse()
        return "\(page.title ?? "-")|\(page.language ?? "-")|\(page.canonicalURL ?? "-")|\(page.openGraph.map { $0.property + "=" + $0.content })|\(page.twitterCard.map { $0.name + "=" + $0.content })|\(page.meta.map { $0.name + "=" + $0.content })|\(page.jsonLD.map(canonical))|" + page.post().jsonLine
    } catch {
        return "error: \(error)"
    }
}

/// JSON with sorted keys, so two equal values print the same.
func canonical(_ v: JSONValue) -> String {
    switch v {
    case .null: "null"
    case .bool(let b): "\(b)"
    case .number(let d): "\(d)"
    case .integer(let i): "\(i)"
    case .string(let s): "\(s.debugDescription)"
    case .array(let a): "[" + a.map(canonical).joined(separator: ",") + "]"
    case .object(let o): "{" + o.keys.sorted().map { "\($0.debugDescription):\(canonical(o[$0]!))" }.joined(separator: ",") + "}"
    }
}
