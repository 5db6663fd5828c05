/// Byte-level helpers shared by the text parsers (WebVTT, SRT, json3). Everything works on UTF-8 bytes.
enum ASCII {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let tab: UInt8 = 0x09
    static let ff: UInt8 = 0x0C
    static let space: UInt8 = 0x20
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    /// HTML "ASCII whitespace": tab, LF, FF, CR, space.
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
        b == space || b == tab || b == lf || b == ff || b == cr
    }
    @inline(__always) static func isAlphanumeric(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20) &- 0x61 < 26
    }
    @inline(__always) static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20) &- 0x61 < 6
    }
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt32 {
        isDigit(b) ? UInt32(b - 0x30) : UInt32((b | 0x20) - 0x61 + 10)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether `needle` occurs in `self[range]`.
    @inline(__always)
    func contains(_ needle: StaticString, in range: Range<Int>) -> Bool {
        firstIndex(of: needle, in: range) != nil
    }

    func firstIndex(of needle: StaticString, in range: Range<Int>) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, range.count >= n else { return nil }
        let p = needle.utf8Start
        let first = p[0]
        var i = range.lowerBound
        let last = range.upperBound - n
        while i <= last {
            if self[i] == first {
                var k = 1
                while k < n && self[i + k] == p[k] { k += 1 }
                if k == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// The end of the line starting at `start`: the index of the first CR or LF, or `count`.
    @inline(__always)
    func endOfLine(from start: Int) -> Int {
        var i = start
        let n = count
        while i < n {
            let b = self[i]
            if b == ASCII.lf || b == ASCII.cr { return i }
            i += 1
        }
        return n
    }

    /// The start of the next line after a line ending at `end` (skips LF, CR or CRLF).
    @inline(__always)
    func startOfNextLine(afterLineEndingAt end: Int) -> Int {
        guard end < count else { return count }
        if self[end] == ASCII.cr, end + 1 < count, self[end + 1] == ASCII.lf { return end + 2 }
        return end + 1
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[range]), as: UTF8.self)
    }
}

/// Calls `body` with the bytes' contiguous storage, copying only when the collection has none.
@inline(__always)
func withContiguousBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(CaptionError) -> R) throws(CaptionError) -> R {
    var result: Result<R, CaptionError>?
    _ = bytes.withContiguousStorageIfAvailable { buffer in
        result = Result { () throws(CaptionError) in try body(buffer) }
    }
    if let result { return try result.get() }
    let copy = Array(bytes)
    return try copy.withUnsafeBufferPointer { buffer throws(CaptionError) in try body(buffer) }
}
