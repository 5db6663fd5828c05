import Fetchers

/// libFuzzer entry point: HTML post pages (OpenGraph, Twitter card, lenient JSON-LD) and source detection.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTMLPage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let page = try? HTMLPage(bytes: bytes, url: "fuzz.html") {
        _ = page.post().jsonLine
    }
    _ = SourceKind.detect(bytes: bytes, url: "fuzz")
    return 0
}
