import Captions

/// libFuzzer entry point: TTML through libxml2 (Markup), and YouTube srv1/srv2/srv3 XML.
/// Debian's libxml2 is not coverage-instrumented, so coverage feedback comes from the Swift side only.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTTML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let document = try? TTMLDocument(bytes: bytes, url: "fuzz.ttml") {
        _ = document.captionCues()
    }
    if let timedText = try? YouTubeTimedText(bytes: bytes, url: "fuzz.srv3") {
        _ = timedText.captionCues()
    }
    return 0
}
