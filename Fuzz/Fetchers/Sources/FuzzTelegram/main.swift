import Fetchers

/// libFuzzer entry point: Telegram channel previews (message walk, counts, paging).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTelegram(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let page = try? TelegramPreview(bytes: bytes, url: "https://t.me/s/fuzz_demo") {
        for post in page.posts() { _ = post.jsonLine }
        _ = page.nextPageURL
    }
    return 0
}
