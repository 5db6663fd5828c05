/// Encoding Unicode scalars as UTF-8 bytes, for code that builds text byte by byte.
public enum UTF8Bytes {
    /// Appends the UTF-8 encoding of scalar value `v` (assumed valid) to `out`.
    @inline(__always)
    public static func append(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}

extension UTF8Bytes {
    /// Whether `bytes` is well-formed UTF-8 (the same rule as `String(validating:)`: no overlong
    /// forms, no surrogates, nothing above U+10FFFF), without building a String.
    ///
    /// Eight ASCII bytes are checked with one load, so plain text costs about a cycle a byte.
    @inline(__always)
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while true {
            while i + 8 <= n, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            while i < n, bytes[i] < 0x80 { i += 1 }
            if i >= n { return true }
            // Runs of 3-byte characters (Chinese, most of the BMP) with one load each: a lead
            // byte E1–EC or EE–EF and two continuation bytes is always well-formed.
            while i + 4 <= n {
                let w = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                let b0 = w & 0xFF
                guard w & 0xC0C0F0 == 0x8080E0, b0 != 0xE0, b0 != 0xED else { break }
                i += 3
            }
            if i >= n { return true }
            if bytes[i] < 0x80 { continue }
            guard let len = sequenceLength(base, i, n) else { return false }
            i += len
        }
    }

    /// The length of the multi-byte sequence at `i`, or nil when it is malformed (Unicode 15,
    /// table 3-7).
    @inline(__always)
    private static func sequenceLength(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) -> Int? {
        let b0 = p.load(fromByteOffset: i, as: UInt8.self)
        @inline(__always) func at(_ k: Int) -> UInt8 { i + k < n ? p.load(fromByteOffset: i + k, as: UInt8.self) : 0 }
        @inline(__always) func cont(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF:
            return cont(at(1)) ? 2 : nil
        case 0xE0...0xEF:
            let b1 = at(1)
            let ok1 = b0 == 0xE0 ? (0xA0...0xBF).contains(b1) : b0 == 0xED ? (0x80...0x9F).contains(b1) : cont(b1)
            return ok1 && cont(at(2)) ? 3 : nil
        case 0xF0...0xF4:
            let b1 = at(1)
            let ok1 = b0 == 0xF0 ? (0x90...0xBF).contains(b1) : b0 == 0xF4 ? (0x80...0x8F).contains(b1) : cont(b1)
            return ok1 && cont(at(2)) && cont(at(3)) ? 4 : nil
        default:
            return nil
        }
    }
}
