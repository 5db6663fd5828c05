@testable import Fetchers

/// libFuzzer entry point: Telegram channel previews (message walk, counts, paging).
///
/// Differential: the event scanner (`TelegramPreview(bytes:)`, libxml2 SAX) must give exactly what the tree walk
/// (`TelegramPreview(treeOf:)`) gives, messages and error alike; a difference traps like a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTelegram(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let events = describe { try TelegramPreview(bytes: bytes, url: "https://t.me/s/fuzz_demo") }
    let tree = describe { try TelegramPreview(treeOf: bytes, url: "https://t.me/s/fuzz_demo") }
    if events != tree { fatalError("event and tree paths differ:\n\(events)\n---\n\(tree)") }
    return 0
}

func describe(_ parse: () throws -> TelegramPreview) -> String {
    do {
        let page = try parse()
        return "\(page.channel ?? "-")|\(page.channelTitle ?? "-")|\(page.nextPageURL ?? "-")|\(page.messages)|"
            + page.posts().map(\.jsonLine).joined(separator: "\n")
    } catch {
        return "error: \(error)"
    }
}
