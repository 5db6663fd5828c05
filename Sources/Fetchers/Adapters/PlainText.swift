/// Turns HTML fragments found in feeds and API fields into plain text, on UTF-8 bytes.
enum PlainText {
    private static let blockTags: Set<String> = ["p", "br", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr"]

    /// Removes tags (block tags become line breaks), decodes character references, collapses blank runs.
    /// Strings without `<` or `&` come back unchanged.
    ///
    /// - Complexity: O(n) in the UTF-8 length.
    static func fromMarkup(_ s: String) -> String {
        var input = s
        return input.withUTF8 { bytes -> String in
            guard bytes.contains(UInt8(ascii: "<")) || bytes.contains(UInt8(ascii: "&")) else { return s }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                if b == UInt8(ascii: "<") {
                    // A tag only when followed by a letter, '/', '!' or '?'; otherwise a literal '<'.
                    guard i + 1 < n, isTagStart(bytes[i + 1]) else { out.append(b); i += 1; continue }
                    var j = i + 1
                    var quote: UInt8 = 0
                    while j < n {
                        let c = bytes[j]
                        if quote != 0 { if c == quote { quote = 0 } } else if c == 0x22 || c == 0x27 { quote = c } else if c == UInt8(ascii: ">") { break }
                        j += 1
                    }
                    var k = i + 1
                    if k < n && bytes[k] == UInt8(ascii: "/") { k += 1 }
                    var name: [UInt8] = []
                    while k < j, isNameByte(bytes[k]), name.count < 12 { name.append(bytes[k] | 0x20); k += 1 }
                    let tag = String(decoding: name, as: UTF8.self)
                    if blockTags.contains(tag), out.last != 0x0A, !out.isEmpty { out.append(0x0A) }
                    if tag == "script" || tag == "style", bytes[i + 1] != UInt8(ascii: "/") {
                        // Skip to the closing tag.
                        let close = Array("</\(tag)".utf8)
                        var m = j
                        while m + close.count <= n, !zip(close, bytes[m..<m + close.count]).allSatisfy({ $0 == ($1 | ($1 >= 0x41 && $1 <= 0x5A ? 0x20 : 0)) }) { m += 1 }
                        j = m
                        while j < n && bytes[j] != UInt8(ascii: ">") { j += 1 }
                    }
                    i = j + 1
                } else if b == UInt8(ascii: "&") {
                    let (decoded, used) = Entities.decode(bytes, at: i)
                    out.append(contentsOf: decoded)
                    i += used
                } else {
                    out.append(b)
                    i += 1
                }
            }
            return collapse(out)
        }
    }

    private static func isTagStart(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "/") || b == UInt8(ascii: "!") || b == UInt8(ascii: "?")
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || (b >= 0x30 && b <= 0x39)
    }

    /// Trims, turns runs of spaces/tabs into one space and more than two line breaks into two.
    static func collapse(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        var newlines = 0
        for b in bytes {
            if b == 0x20 || b == 0x09 || b == 0x0D { pendingSpace = true; continue }
            if b == 0x0A { newlines += 1; pendingSpace = false; continue }
            if !out.isEmpty {
                if newlines > 0 { out.append(contentsOf: repeatElement(0x0A, count: min(newlines, 2))) } else if pendingSpace { out.append(0x20) }
            }
            newlines = 0
            pendingSpace = false
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// HTML character references.
enum Entities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "hellip": "…", "mdash": "—",
        "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»",
        "copy": "©", "reg": "®", "trade": "™", "euro": "€", "pound": "£", "yen": "¥", "middot": "·", "bull": "•",
        "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú", "ntilde": "ñ", "uuml": "ü",
        "Aacute": "Á", "Eacute": "É", "Iacute": "Í", "Oacute": "Ó", "Uacute": "Ú", "Ntilde": "Ñ", "iexcl": "¡", "iquest": "¿",
    ]

    /// Decodes the reference starting at `i` (`bytes[i] == '&'`). Unknown or broken ones stay literal.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> ([UInt8], Int) {
        var j = i + 1
        let n = bytes.count
        while j < n, j - i < 34, bytes[j] != UInt8(ascii: ";"), bytes[j] != UInt8(ascii: "&"), bytes[j] > 0x20 { j += 1 }
        guard j < n, bytes[j] == UInt8(ascii: ";"), j > i + 1 else { return ([UInt8(ascii: "&")], 1) }
        let body = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            if let value, let scalar = Unicode.Scalar(value), value != 0 {
                return (Array(String(Character(scalar)).utf8), j - i + 1)
            }
            return ([UInt8(ascii: "&")], 1)
        }
        if let s = named[body] { return (Array(s.utf8), j - i + 1) }
        return ([UInt8(ascii: "&")], 1)
    }
}

/// Hashtags in post text.
enum Hashtags {
    /// `#tag` words (letters, digits, `_`, any script), without the `#`, in order, without duplicates.
    /// A `#` right after a letter, digit, `&` or `/` (URLs, character references) does not start a tag;
    /// all-digit tags (`#1`) are skipped. The full-width `＃` also starts a tag.
    ///
    /// - Complexity: O(n) in the UTF-8 length; scalars are decoded only inside tags.
    static func extract(from text: String) -> [String] {
        var copy = text
        let tags: [String] = copy.withUTF8 { b in
            var tags: [String] = []
            let n = b.count
            var i = 0
            while i < n {
                let c = b[i]
                var start = -1
                if c == 0x23 { start = i + 1 } else if c == 0xEF, i + 2 < n, b[i + 1] == 0xBC, b[i + 2] == 0x83 { start = i + 3 }
                if start < 0 { i += 1; continue }
                let previousAllowsTag = i == 0 || !(isASCIIAlphanumeric(b[i - 1]) || b[i - 1] == UInt8(ascii: "&") || b[i - 1] == UInt8(ascii: "/"))
                var j = start
                var allDigits = true
                while j < n {
                    let d = b[j]
                    if d < 0x80 {
                        guard isASCIIAlphanumeric(d) || d == UInt8(ascii: "_") else { break }
                        if !(d >= 0x30 && d <= 0x39) { allDigits = false }
                        j += 1
                        continue
                    }
                    let length = d >= 0xF0 ? 4 : d >= 0xE0 ? 3 : d >= 0xC0 ? 2 : 1
                    // `b` is a String's (valid) UTF-8 and `j` a scalar boundary, so the scalar decodes in place.
                    guard j + length <= n, let scalar = decodeScalar(b, at: j, length: length) else { break }
                    let p = scalar.properties
                    guard p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark || p.generalCategory == .spacingMark else { break }
                    if p.numericType == nil { allDigits = false }
                    j += length
                }
                if previousAllowsTag && j > start && !allDigits {
                    tags.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self))
                }
                i = max(j, i + 1)
            }
            return tags
        }
        return tags.isEmpty ? [] : merge(tags)
    }

    /// The scalar of the well-formed UTF-8 sequence `b[i..<i+length]` (nil for a lone continuation byte).
    @inline(__always) static func decodeScalar(_ b: UnsafeBufferPointer<UInt8>, at i: Int, length: Int) -> Unicode.Scalar? {
        var v: UInt32
        switch length {
        case 2: v = UInt32(b[i] & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
        case 3: v = UInt32(b[i] & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
        case 4: v = UInt32(b[i] & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F)
        default: return b[i] < 0x80 ? Unicode.Scalar(b[i]) : "\u{FFFD}"
        }
        return Unicode.Scalar(v) ?? "\u{FFFD}"
    }

    @inline(__always) private static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A)
    }

    /// Concatenates tag lists, dropping leading `#`, empties and case-insensitive duplicates.
    ///
    /// - Complexity: O(n²) in the number of tags (posts carry a handful; a linear scan beats hashing here).
    static func merge(_ lists: [String]...) -> [String] {
        var out: [String] = []
        var keys: [String] = []
        for list in lists {
            for raw in list {
                var t = raw
                if let f = t.utf8.first, let l = t.utf8.last, f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 || f == UInt8(ascii: "#") {
                    t = t.trimmingASCIIWhitespace()
                    while t.hasPrefix("#") { t.removeFirst() }
                }
                if t.isEmpty { continue }
                let key = t.utf8.allSatisfy({ $0 < 0x41 || ($0 > 0x5A && $0 < 0x80) }) ? t : t.lowercased()
                if !keys.contains(key) {
                    keys.append(key)
                    out.append(t)
                }
            }
        }
        return out
    }
}

extension String {
    /// Trims ASCII whitespace (space, tab, CR, LF, FF) and no-break spaces at both ends, on UTF-8, without Foundation.
    ///
    /// - Complexity: O(k) in the number of trimmed bytes.
    var trimmedWhitespace: String {
        let u = utf8
        guard let first = u.first, let last = u.last else { return self }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
        if !isSpace(first) && !isSpace(last) { return self }
        var start = u.startIndex
        var end = u.endIndex
        while start < end, isSpace(u[start]) { start = u.index(after: start) }
        while end > start, isSpace(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(self[start..<end])
    }

    /// `trimmedWhitespace`, or nil when nothing is left.
    var nonEmptyTrimmed: String? {
        let t = trimmedWhitespace
        return t.isEmpty ? nil : t
    }
}
