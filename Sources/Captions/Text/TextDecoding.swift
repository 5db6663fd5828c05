#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Brings caption bytes to UTF-8 before the byte parsers run.
///
/// Order: a UTF-16 byte-order mark; an encoding named by the caller (e.g. yt-dlp or HTTP `charset`); bytes that are
/// already valid UTF-8 are used as they are (the common case, no copy); otherwise GB18030 when every non-ASCII byte
/// forms a GB2312/GBK double-byte pair, else Windows-1252 (ISO-8859-1 for its five unassigned bytes).
///
/// The corresponding C function is `iconv(3)`.
enum TextDecoding {
    /// UTF-8 bytes for the input, or `nil` when the input is already UTF-8 and can be parsed in place.
    static func utf8(_ bytes: UnsafeBufferPointer<UInt8>, encoding declared: String?, url: String) throws(CaptionError) -> [UInt8]? {
        if bytes.count >= 2 {
            if bytes[0] == 0xFF, bytes[1] == 0xFE { return try convert(bytes, from: "UTF-16LE", skip: 2, url: url) }
            if bytes[0] == 0xFE, bytes[1] == 0xFF { return try convert(bytes, from: "UTF-16BE", skip: 2, url: url) }
        }
        if let declared, !isUTF8Name(declared) { return try convert(bytes, from: declared, skip: 0, url: url) }
        if isValidUTF8(bytes) { return nil }
        if looksLikeGB(bytes), let gb = try? convert(bytes, from: "GB18030", skip: 0, url: url) { return gb }
        return windows1252(bytes)
    }

    static func isUTF8Name(_ name: String) -> Bool {
        let n = name.lowercased().filter { $0 != "-" && $0 != "_" }
        return n == "utf8"
    }

    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            // Skip ASCII quickly, 8 bytes at a time when aligned enough.
            while i + 8 <= n {
                let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { break }
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var scalar: UInt32
            let minimum: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; scalar = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(b & 0x07); minimum = 0x10000
            default: return false
            }
            guard i + length <= n else { return false }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            i += length
        }
        return true
    }

    /// Every byte ≥ 0x80 starts a GBK pair (lead 0x81–0xFE, trail 0x40–0xFE except 0x7F), and there is at least one.
    static func looksLikeGB(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        var pairs = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            guard b >= 0x81, b <= 0xFE, i + 1 < bytes.count else { return false }
            let t = bytes[i + 1]
            guard t >= 0x40, t <= 0xFE, t != 0x7F else { return false }
            pairs += 1
            i += 2
        }
        return pairs > 0
    }

    private static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func windows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        for b in bytes {
            if b < 0x80 { out.append(b); continue }
            let scalar = b < 0xA0 ? cp1252High[Int(b - 0x80)] : UInt32(b)
            out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        }
        return out
    }

    /// Converts with iconv; throws ``CaptionError/Code/unsupportedEncoding`` naming the encoding and the file.
    static func convert(_ bytes: UnsafeBufferPointer<UInt8>, from encoding: String, skip: Int, url: String) throws(CaptionError) -> [UInt8] {
        let cd = iconv_open("UTF-8", encoding)
        guard let cd, Int(bitPattern: cd) != -1 else {
            throw CaptionError(code: .unsupportedEncoding, message: "'\(url)': text encoding '\(encoding)' is not known to iconv. Convert the file to UTF-8 or name a supported encoding.", url: url)
        }
        defer { iconv_close(cd) }
        let inputCount = bytes.count - skip
        var output = [UInt8](repeating: 0, count: inputCount * 4 + 16)
        var failed = false
        let produced: Int = output.withUnsafeMutableBufferPointer { out in
            guard inputCount > 0 else { return 0 }
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(mutating: UnsafeRawPointer(bytes.baseAddress! + skip).assumingMemoryBound(to: CChar.self))
            var inLeft = inputCount
            var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self)
            var outLeft = out.count
            while inLeft > 0 {
                let converted = iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
                if converted == -1 || inLeft > 0 {
                    // Invalid or incomplete sequence: write U+FFFD and skip one byte.
                    guard inLeft > 0, outLeft >= 3 else { failed = inLeft > 0; break }
                    let o = outPointer!
                    o[0] = CChar(bitPattern: 0xEF); o[1] = CChar(bitPattern: 0xBF); o[2] = CChar(bitPattern: 0xBD)
                    outPointer = o + 3; outLeft -= 3
                    inPointer = inPointer! + 1; inLeft -= 1
                }
            }
            return out.count - outLeft
        }
        if failed {
            throw CaptionError(code: .unsupportedEncoding, message: "'\(url)': could not convert from '\(encoding)' to UTF-8. Check the file's encoding.", url: url)
        }
        output.removeSubrange(produced...)
        return output
    }
}
