import Fetchers

/// libFuzzer entry point: feed parsing (RSS 2.0/1.0, Atom, CDF) and the entry → post mapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeed(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let feed = try? Feed(bytes: bytes, url: "fuzz.xml") {
        for post in feed.posts() { _ = post.jsonLine }
    }
    return 0
}
