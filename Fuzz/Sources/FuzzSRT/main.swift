import Captions

/// libFuzzer entry point: SRT parsing (with encoding detection) and tag stripping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let document = try? SRTDocument(bytes: bytes, url: "fuzz.srt") {
        _ = document.captionCues()
    }
    _ = CaptionFormat.detect(bytes, name: "fuzz.srt")
    return 0
}
