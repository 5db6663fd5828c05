import Captions

/// libFuzzer entry point: WebVTT file parsing, cue text trees and plain text, de-duplication.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebVTT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let document = try? WebVTTDocument(bytes: bytes, url: "fuzz.vtt") else { return 0 }
    for cue in document.cues {
        _ = cue.nodes
        _ = cue.plainText
    }
    _ = RollingCaptions.deduplicated(document.captionCues(), force: true)
    return 0
}
