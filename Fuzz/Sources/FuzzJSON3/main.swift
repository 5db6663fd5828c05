import Captions

/// libFuzzer entry point: YouTube json3 (the byte-level JSON reader and the event mapping).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON3(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let document = try? JSON3Document(bytes: bytes, url: "fuzz.json3") {
        _ = RollingCaptions.deduplicated(document.captionCues(), force: true)
    }
    return 0
}
