public import Posts

/// Redacts contact identifiers from exported text: phone-like digit runs, WhatsApp / Telegram
/// links, e-mail addresses, @handles and WeChat ids. A byte-level scanner over UTF-8 (no regex),
/// so it is fast on large exports and never splits a multi-byte character.
///
/// It errs on the side of redacting: a 7+ digit run with phone separators is redacted even when it
/// is an order number. ISO dates (2024-03-01, 01/03/2024) are kept.
public struct ContactRedactor: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case phone, link, email, handle, wechat
    }

    /// The replacement text for each kind, e.g. `[redacted:phone]`.
    public static func placeholder(_ kind: Kind) -> String { "[redacted:\(kind.rawValue)]" }

    /// Minimum digits in a phone-like run.
    public var minimumPhoneDigits: Int

    public init(minimumPhoneDigits: Int = 7) { self.minimumPhoneDigits = minimumPhoneDigits }

    /// The text with every contact identifier replaced by its placeholder.
    public func redact(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var out: [UInt8] = []
            var changed = false
            out.reserveCapacity(bytes.count)
            var i = 0
            var floor = 0  // input bytes before this were replaced or are fixed
            while i < bytes.count {
                if let (end, kind, start) = match(bytes, at: i, floor: floor) {
                    if start < i {
                        // An e-mail's local part was already copied: take it back.
                        out.removeLast(i - start)
                    } else {
                        // A WeChat keyword and separators stay; only the id goes.
                        out.append(contentsOf: bytes[i..<start])
                    }
                    out.append(contentsOf: Self.placeholder(kind).utf8)
                    changed = true
                    i = end
                    floor = end
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
            return changed ? String(decoding: out, as: UTF8.self) : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The kinds found in `text`, for tests and reports.
    public func kinds(in text: String) -> [Kind] {
        var text = text
        return text.withUTF8 { bytes in
            var found: [Kind] = []
            var i = 0
            var floor = 0
            while i < bytes.count {
                if let (end, kind, _) = match(bytes, at: i, floor: floor) {
                    found.append(kind)
                    i = end
                    floor = end
                } else {
                    i += 1
                }
            }
            return found
        }
    }

    /// A copy of the post with contact identifiers redacted from every text field and the
    /// author removed.
    public func redact(_ post: Post) -> Post {
        var copy = post
        copy.author = nil
        copy.title = post.title.map(redact)
        copy.description = post.description.map(redact)
        copy.hashtags = post.hashtags.map(redact)
        copy.captions = post.captions.map { cue in
            var cue = cue
            cue.text = redact(cue.text)
            return cue
        }
        return copy
    }

    // MARK: - Scanner

    /// A match found at `i`: its end, kind and start. An e-mail starts before `i` (but not before
    /// `floor`); a WeChat id starts after its keyword.
    private func match(_ b: UnsafeBufferPointer<UInt8>, at i: Int, floor: Int) -> (Int, Kind, Int)? {
        let c = b[i]
        if let end = link(b, at: i) { return (end, .link, i) }
        if c == UInt8(ascii: "@") { return at(b, i, floor: floor) }
        if let end = wechat(b, at: i) { return (end.end, .wechat, end.start) }
        if isDigit(c) || (c == UInt8(ascii: "+") && i + 1 < b.count && isDigit(b[i + 1])) || c == UInt8(ascii: "(") {
            if i > 0, isWordByte(b[i - 1]) { return nil }
            if let end = phone(b, at: i) { return (end, .phone, i) }
        }
        return nil
    }

    private static let linkHosts: [[UInt8]] = [
        "wa.me/", "t.me/", "telegram.me/", "telegram.dog/", "api.whatsapp.com/", "chat.whatsapp.com/", "wa.link/",
        "u.wechat.com/", "weixin.qq.com/",
    ].map { Array($0.utf8) }
    private static let schemes: [[UInt8]] = ["https://", "http://"].map { Array($0.utf8) }

    /// `[http(s)://][www.]wa.me/…` and friends, to the end of the URL.
    private func link(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        if i > 0, isWordByte(b[i - 1]) || b[i - 1] == UInt8(ascii: ".") || b[i - 1] == UInt8(ascii: "/") { return nil }
        var j = i
        for scheme in Self.schemes where hasPrefix(b, at: j, scheme) {
            j += scheme.count
            break
        }
        if hasPrefix(b, at: j, Array("www.".utf8)) { j += 4 }
        guard let host = Self.linkHosts.first(where: { hasPrefix(b, at: j, $0) }) else { return nil }
        j += host.count
        while j < b.count, isURLByte(b[j]) { j += 1 }
        // Leave trailing punctuation to the sentence.
        while j > i, [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ")"), UInt8(ascii: "!"), UInt8(ascii: "?")].contains(b[j - 1]) {
            j -= 1
        }
        return j
    }

    /// `@handle` (not part of a word) or `name@example.com`.
    private func at(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, floor: Int) -> (Int, Kind, Int)? {
        var end = i + 1
        while end < b.count, isHandleByte(b[end]) { end += 1 }
        while end > i + 1, b[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard end - (i + 1) >= 2 else { return nil }
        var start = i
        while start > floor, isEmailLocalByte(b[start - 1]) { start -= 1 }
        if start < i {
            let domain = b[(i + 1)..<end]
            return domain.contains(UInt8(ascii: ".")) ? (end, .email, start) : nil
        }
        return (end, .handle, i)
    }

    private static let wechatKeywords: [[UInt8]] = [
        "wechat", "weixin", "wx", "vx", "v信", "微信", "薇信", "威信", "vx号", "微信号",
    ].map { Array($0.utf8) }.sorted { $0.count > $1.count }

    /// A WeChat keyword, separators, then an id (a letter then 5–19 letters, digits, `_` or `-`).
    /// Only the id is redacted, so the text still says a WeChat id was there.
    private func wechat(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (start: Int, end: Int)? {
        if i > 0, isASCIILetter(b[i - 1]) { return nil }
        guard let keyword = Self.wechatKeywords.first(where: { hasPrefixIgnoringCase(b, at: i, $0) }) else { return nil }
        var j = i + keyword.count
        if j < b.count, isASCIILetter(b[j]), isASCIILetter(keyword.last!) {
            // "wx" inside "wxyz…" is not a keyword unless an id separator follows; require a separator.
            return nil
        }
        var sawSeparator = false
        while j < b.count {
            if [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: "#")].contains(b[j]) {
                j += 1
                sawSeparator = true
            } else if hasPrefix(b, at: j, [0xEF, 0xBC, 0x9A]) || hasPrefix(b, at: j, [0xE3, 0x80, 0x80]) {  // "：", ideographic space
                j += 3
                sawSeparator = true
            } else if hasPrefixIgnoringCase(b, at: j, Array("id".utf8)), j + 2 < b.count, !isWordByte(b[j + 2]) {
                j += 2
            } else {
                break
            }
        }
        guard sawSeparator || keyword.last! >= 0x80 else { return nil }
        guard j < b.count, isASCIILetter(b[j]) else { return nil }
        let start = j
        var end = j + 1
        while end < b.count, isASCIILetter(b[end]) || isDigit(b[end]) || b[end] == UInt8(ascii: "_") || b[end] == UInt8(ascii: "-") {
            end += 1
        }
        guard (6...20).contains(end - start) else { return nil }
        return (start, end)
    }

    /// `+52 (555) 555-0142`, `555.555.0142`, `5555550142`: digits with single separators.
    private func phone(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        var j = i
        if b[j] == UInt8(ascii: "+") { j += 1 }
        var digits = 0
        var groups: [Int] = []
        var current = 0
        var separators = Set<UInt8>()
        var lastDigitEnd = j
        while j < b.count {
            let c = b[j]
            if isDigit(c) {
                digits += 1
                current += 1
                j += 1
                lastDigitEnd = j
            } else if [UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/")]
                .contains(c), j + 1 < b.count, isDigit(b[j + 1]) || (c != UInt8(ascii: "(") && b[j + 1] == UInt8(ascii: "("))
                || (c == UInt8(ascii: ")") && b[j + 1] == UInt8(ascii: " "))
            {
                if current > 0 { groups.append(current) }
                current = 0
                separators.insert(c)
                j += 1
            } else {
                break
            }
        }
        if current > 0 { groups.append(current) }
        guard digits >= minimumPhoneDigits, digits <= 15 + 4 else { return nil }
        if lastDigitEnd < b.count, isWordByte(b[lastDigitEnd]) { return nil }
        // Keep dates: 2024-03-01, 01/03/2024, 2024.03.01.
        if groups.count == 3, separators.count == 1, !separators.contains(UInt8(ascii: " ")),
            groups == [4, 2, 2] || groups == [2, 2, 4] || groups == [1, 2, 4] || groups == [2, 1, 4]
        {
            return nil
        }
        return lastDigitEnd
    }

    // MARK: - Byte classes

    private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private func isASCIILetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    private func isWordByte(_ c: UInt8) -> Bool { isDigit(c) || isASCIILetter(c) || c == UInt8(ascii: "_") }
    private func isHandleByte(_ c: UInt8) -> Bool { isWordByte(c) || c == UInt8(ascii: ".") }
    private func isEmailLocalByte(_ c: UInt8) -> Bool {
        isWordByte(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "%")
    }
    private func isURLByte(_ c: UInt8) -> Bool {
        c > 0x20 && c < 0x7F && c != UInt8(ascii: "\"") && c != UInt8(ascii: "<") && c != UInt8(ascii: ">")
            && c != UInt8(ascii: "'") && c != UInt8(ascii: "]")
    }

    private func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ p: [UInt8]) -> Bool {
        guard i + p.count <= b.count else { return false }
        for k in 0..<p.count where b[i + k] != p[k] { return false }
        return true
    }

    private func hasPrefixIgnoringCase(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ p: [UInt8]) -> Bool {
        guard i + p.count <= b.count else { return false }
        for k in 0..<p.count {
            let x = b[i + k], y = p[k]
            if x == y { continue }
            if isASCIILetter(x), isASCIILetter(y), x | 0x20 == y | 0x20 { continue }
            return false
        }
        return true
    }
}
