/// Decides which text encoding to hand libxml2, correcting documents whose declaration lies.
///
/// Rules, in order:
/// 1. A byte-order mark wins (UTF-8, UTF-16LE/BE); the mark is stripped by the caller when it forces an encoding.
/// 2. A declared Latin-1 family encoding (ISO-8859-1, Latin-1, Windows-1252, US-ASCII) on bytes that are valid UTF-8
///    and contain at least one multi-byte sequence is treated as UTF-8: the declaration is lying.
/// 3. A declared (or, for XML, implied) UTF-8 on bytes that are not valid UTF-8 is treated as ISO-8859-1, where every
///    byte is a character, instead of failing the whole document.
///
/// - Complexity: O(n) in the number of bytes (one UTF-8 validation pass).
enum EncodingSniffer {
    enum ByteOrderMark: Equatable {
        case utf8, utf16LittleEndian, utf16BigEndian

        var length: Int { self == .utf8 ? 3 : 2 }
        var encodingName: String {
            switch self {
            case .utf8: "UTF-8"
            case .utf16LittleEndian: "UTF-16LE"
            case .utf16BigEndian: "UTF-16BE"
            }
        }
    }

    static func byteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> ByteOrderMark? {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { return .utf8 }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE { return .utf16LittleEndian }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF { return .utf16BigEndian }
        return nil
    }

    /// Whether the bytes are valid UTF-8, and whether any multi-byte sequence occurs.
    static func utf8Validity(_ bytes: UnsafeBufferPointer<UInt8>) -> (valid: Bool, hasMultiByte: Bool) {
        var i = 0
        let n = bytes.count
        var multi = false
        while i < n {
            // ASCII runs, 8 bytes at a time.
            while i + 8 <= n, UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            multi = true
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; scalar = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(b & 0x07); minimum = 0x10000
            default: return (false, multi)
            }
            if i + length > n { return (false, multi) }
            for k in 1..<length {
                let c = bytes[i + k]
                if c & 0xC0 != 0x80 { return (false, multi) }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return (false, multi) }
            i += length
        }
        return (true, multi)
    }

    static func isLatin1Family(_ name: String) -> Bool {
        let n = normalized(name)
        return ["iso88591", "latin1", "l1", "windows1252", "cp1252", "usascii", "ascii", "iso885915", "cp819",
                "ibm819", "isoir100"].contains(n)
    }

    static func isUTF8(_ name: String) -> Bool {
        let n = normalized(name)
        return n == "utf8" || n == "unicode11utf8"
    }

    private static func normalized(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })).lowercased()
    }

    /// The encoding named in an XML declaration (`<?xml version="1.0" encoding="…"?>`), ASCII-compatible input only.
    static func xmlDeclaredEncoding(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let prefix = Array(bytes.prefix(512))
        guard prefix.starts(with: Array("<?xml".utf8)) else { return nil }
        guard let end = firstIndex(of: Array("?>".utf8), in: prefix) else { return nil }
        let declaration = Array(prefix[..<end])
        return attributeValue(named: "encoding", in: declaration)
    }

    /// The encoding named by `<meta charset>` or `<meta http-equiv content="…; charset=…">` in the first 4 KiB.
    static func htmlDeclaredEncoding(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let prefix = Array(bytes.prefix(4096)).map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
        var searchStart = 0
        let needle = Array("charset".utf8)
        while let found = firstIndex(of: needle, in: prefix, from: searchStart) {
            searchStart = found + needle.count
            var i = searchStart
            while i < prefix.count, prefix[i] == 0x20 || prefix[i] == 0x09 { i += 1 }
            guard i < prefix.count, prefix[i] == UInt8(ascii: "=") else { continue }
            i += 1
            while i < prefix.count, prefix[i] == 0x20 || prefix[i] == 0x09 || prefix[i] == 0x22 || prefix[i] == 0x27 {
                i += 1
            }
            var j = i
            while j < prefix.count, isNameByte(prefix[j]) { j += 1 }
            if j > i { return String(decoding: bytes[i..<j], as: UTF8.self) }
        }
        return nil
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
            || b == 0x2E || b == 0x3A
    }

    private static func attributeValue(named name: String, in bytes: [UInt8]) -> String? {
        guard let at = firstIndex(of: Array(name.utf8), in: bytes) else { return nil }
        var i = at + name.utf8.count
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return nil }
        i += 1
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        guard i < bytes.count, bytes[i] == 0x22 || bytes[i] == 0x27 else { return nil }
        let quote = bytes[i]
        i += 1
        guard let close = bytes[i...].firstIndex(of: quote) else { return nil }
        return String(decoding: bytes[i..<close], as: UTF8.self)
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The encoding to force for an XML document, or `nil` to let libxml2 follow the BOM and declaration.
    static func xmlEncodingOverride(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if byteOrderMark(bytes) != nil { return nil }
        let declared = xmlDeclaredEncoding(bytes)
        let validity = utf8Validity(bytes)
        if let declared, isLatin1Family(declared) {
            return validity.valid && validity.hasMultiByte ? "UTF-8" : nil
        }
        if declared == nil || isUTF8(declared!) {
            return validity.valid ? nil : "ISO-8859-1"
        }
        return nil
    }

    /// The encoding to use for an HTML document and how many BOM bytes to skip.
    static func htmlEncoding(_ bytes: UnsafeBufferPointer<UInt8>, requested: String?) -> (name: String?, skip: Int) {
        if let bom = byteOrderMark(bytes) { return (bom.encodingName, bom.length) }
        let validity = utf8Validity(bytes)
        let declared = requested ?? htmlDeclaredEncoding(bytes)
        if let declared {
            if isLatin1Family(declared) { return (validity.valid && validity.hasMultiByte ? "UTF-8" : "windows-1252", 0) }
            if isUTF8(declared) { return (validity.valid ? "UTF-8" : "windows-1252", 0) }
            return (declared, 0)
        }
        return (validity.valid ? "UTF-8" : "windows-1252", 0)
    }
}
