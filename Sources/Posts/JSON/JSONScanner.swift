/// A small JSON reader over UTF-8 bytes, made for one JSONL line at a time.
///
/// Foundation's decoders build a whole object tree and go through `Character`s; this walks the
/// bytes once, builds only the strings the caller asks for, and skips the rest.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    /// Nesting limit for skipped values, so hostile input cannot exhaust the stack.
    static let maxDepth = 64

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    @inline(__always) mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next non-space byte, or nil at the end.
    @inline(__always) mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(LineError) {
        guard peek() == byte else { throw fail("expected \(what())") }
        index += 1
    }

    func fail(_ reason: String, _ code: PostsError.Code = .malformedJSON) -> LineError {
        LineError(code: code, reason: "\(reason) at column \(index + 1)")
    }

    /// The kind of the next value, in words, for "expected X, found Y" messages.
    mutating func kindOfNext() -> String {
        switch peek() {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case nil: return "the end of the line"
        default: return "a number"
        }
    }

    /// Consumes `null` if it is next.
    @inline(__always)
    mutating func consumeNull() -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        guard index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// Reads a key or string value. Strings without escapes come back as a plain byte range, so
    /// callers can compare keys without building a String.
    ///
    /// The hot loop of reading posts: it looks for the closing quote (or a backslash) eight
    /// bytes at a time, with no call per string (most strings, keys and ids, are short). Raw
    /// control characters are accepted (read leniently).
    @inline(__always)
    mutating func stringRange() throws(LineError) -> (range: Range<Int>, hasEscapes: Bool) {
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        index += 1
        let start = index
        guard let base = bytes.baseAddress else { throw fail("unterminated string") }
        let n = bytes.count
        var i = start
        var escapes = false
        while true {
            while i + 8 <= n {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let found = Self.zeroBytes(w ^ 0x2222_2222_2222_2222) | Self.zeroBytes(w ^ 0x5C5C_5C5C_5C5C_5C5C)
                if found != 0 {
                    // The lowest flag marks the first quote or backslash exactly.
                    i += found.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            while i < n, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
            guard i < n else {
                index = n
                throw fail("unterminated string")
            }
            if bytes[i] == UInt8(ascii: "\"") {
                index = i + 1
                return (start..<i, escapes)
            }
            escapes = true
            i += 2  // the backslash and the byte it escapes
        }
    }

    /// A flag (0x80) in each byte of `v` that is zero; flags above the lowest zero byte may be
    /// false, the lowest is exact.
    @inline(__always) static func zeroBytes(_ v: UInt64) -> UInt64 {
        (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }

    mutating func string() throws(LineError) -> String {
        let (range, hasEscapes) = try stringRange()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[range])
        if !hasEscapes {
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw LineError(code: .invalidUTF8, reason: "invalid UTF-8 in the string starting at column \(range.lowerBound)")
            }
            return s
        }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        try unescape(raw, into: &out)
        guard let s = String(validating: out, as: UTF8.self) else {
            throw LineError(code: .invalidUTF8, reason: "invalid UTF-8 in the string starting at column \(range.lowerBound)")
        }
        return s
    }

    /// Appends the bytes of a string's raw contents (between the quotes) to `out`, decoding
    /// escapes. The result still needs UTF-8 validation.
    func unescape(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) throws(LineError) {
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b != UInt8(ascii: "\\") {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < raw.count else { throw fail("dangling backslash in a string") }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "u"):
                guard var scalar = Self.hex4(raw, i) else { throw fail("bad \\u escape in a string") }
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A surrogate pair: the low half must follow as another \u escape.
                    guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                        let low = Self.hex4(raw, i + 2), (0xDC00..<0xE000).contains(low)
                    else { throw fail("unpaired surrogate \\u escape in a string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("unpaired surrogate \\u escape in a string")
                }
                UTF8Bytes.append(scalar, to: &out)
            default: throw fail("unknown escape '\\\(Character(Unicode.Scalar(e)))' in a string")
            }
        }
    }

    static func hex4(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        guard at + 4 <= raw.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = raw[at + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    @inline(__always) static func isNumberByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default: return false
        }
    }

    mutating func number() throws(LineError) -> Double {
        skipWhitespace()
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        guard index > start,
            let value = Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)),
            value.isFinite
        else {
            index = start
            throw fail("expected a number")
        }
        return value
    }

    /// Skips one value of any kind, checking it is well-formed.
    mutating func skipValue(depth: Int = 0) throws(LineError) {
        guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        switch peek() {
        case UInt8(ascii: "\""):
            _ = try stringRange()
        case UInt8(ascii: "{"):
            try forEachKey { s, _ throws(LineError) in try s.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try forEachElement { s throws(LineError) in try s.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case nil: throw fail("expected a value")
        default: _ = try number()
        }
    }

    mutating func literal(_ word: StaticString) throws(LineError) {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw fail("expected \(word)") }
        for k in 0..<n where bytes[index + k] != word.utf8Start[k] { throw fail("expected \(word)") }
        index += n
    }

    /// Iterates over the keys of an object; the body must consume each value.
    mutating func forEachKey(_ body: (inout JSONScanner, Range<Int>) throws(LineError) -> Void) throws(LineError) {
        try expect(UInt8(ascii: "{"), "'{'")
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let (key, _) = try stringRange()
            try expect(UInt8(ascii: ":"), "':' after a key")
            try body(&self, key)
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return
        }
    }

    /// Iterates over the elements of an array; the body must consume each element.
    mutating func forEachElement(_ body: (inout JSONScanner) throws(LineError) -> Void) throws(LineError) {
        try expect(UInt8(ascii: "["), "'['")
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try body(&self)
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return
        }
    }

    /// Compares the bytes of a key with an ASCII name.
    @inline(__always) func key(_ range: Range<Int>, is name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        guard range.count == n else { return false }
        let p = name.utf8Start
        for k in 0..<n where bytes[range.lowerBound + k] != p[k] { return false }
        return true
    }

    func keyString(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
