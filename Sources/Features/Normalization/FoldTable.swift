/// How each Unicode scalar reads for matching: its folded UTF-8 bytes and its character class.
///
/// Built once from the generated data (NFKC, lower case, accents removed, Traditional to
/// Simplified Chinese; see Scripts/generate-fold-table.swift) into flat arrays, so the tokenizer
/// folds a scalar with one array read instead of calling ICU on every string.
final class FoldTable: @unchecked Sendable {
    static let shared = FoldTable()

    /// What a scalar is for tokenising.
    enum Class: UInt8 {
        case space = 0, punct, letter, digit, han, kana, hangul, symbol, removed
    }

    /// For BMP scalars: 0 when the scalar folds to itself, else `offset << 8 | length` into `pool`
    /// (length 0 with a nonzero entry means "removed").
    private let bmp: [UInt32]
    private let pool: [UInt8]
    private let astral: [UInt32: [UInt8]]
    /// Character class of each BMP scalar (after folding: ask about the folded scalar).
    private let bmpClass: [UInt8]
    /// The same tables as raw pointers, read per scalar in the tokenizer's loop without array
    /// retains or bounds checks (the arrays above own the memory and never change; immutable,
    /// hence the unchecked Sendable).
    private let bmpTable: UnsafePointer<UInt32>
    private let poolTable: UnsafeBufferPointer<UInt8>
    private let classTable: UnsafePointer<UInt8>

    private init() {
        var bmp = [UInt32](repeating: 0, count: 0x10000)
        var pool: [UInt8] = [0]  // offset 0 is never used, so a nonzero entry is always distinct
        var astral: [UInt32: [UInt8]] = [:]
        // Read as bytes: every run starts here, and splitting the string into lines cost 4 times
        // as many instructions.
        var data = Self.data
        data.withUTF8 { bytes in
            let n = bytes.count
            var i = 0
            while i < n {
                // A line: hex digits, a tab, the folded text (maybe empty), a newline.
                var v: UInt32 = 0
                while i < n, bytes[i] != 0x09, bytes[i] != 0x0A {
                    let c = bytes[i]
                    v = v << 4 | UInt32(c <= 0x39 ? c &- 0x30 : c &- 0x61 &+ 10)
                    i += 1
                }
                guard i < n, bytes[i] == 0x09 else {
                    i += 1  // an empty line, or one without a tab
                    continue
                }
                i += 1
                let start = i
                while i < n, bytes[i] != 0x0A { i += 1 }
                let folded = UnsafeBufferPointer(rebasing: bytes[start..<i])
                i += 1
                if v < 0x10000 {
                    if folded.isEmpty {
                        bmp[Int(v)] = 1 << 8  // offset 1, length 0: removed
                    } else {
                        bmp[Int(v)] = UInt32(pool.count) << 8 | UInt32(folded.count)
                        pool.append(contentsOf: folded)
                    }
                } else {
                    astral[v] = Array(folded)
                }
            }
        }
        var classes = [UInt8](repeating: Class.symbol.rawValue, count: 0x10000)
        for v in 0..<0x10000 {
            guard let s = Unicode.Scalar(UInt32(v)) else { continue }
            classes[v] = Self.classify(s).rawValue
        }
        self.bmp = bmp
        self.pool = pool
        self.astral = astral
        self.bmpClass = classes
        bmpTable = UnsafePointer(Self.copy(bmp).baseAddress!)
        poolTable = UnsafeBufferPointer(Self.copy(pool))
        classTable = UnsafePointer(Self.copy(classes).baseAddress!)
    }

    deinit {
        bmpTable.deallocate()
        poolTable.deallocate()
        classTable.deallocate()
    }

    private static func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
        let p = UnsafeMutableBufferPointer<T>.allocate(capacity: a.count)
        _ = p.initialize(from: a)
        return p
    }

    static func classify(_ s: Unicode.Scalar) -> Class {
        let v = s.value
        if (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x20000...0x2FA1F).contains(v) || v == 0x3007
        {
            return .han
        }
        if (0x3040...0x30FF).contains(v) { return .kana }
        if (0xAC00...0xD7AF).contains(v) || (0x1100...0x11FF).contains(v) { return .hangul }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber: return .digit
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control: return .space
        case .nonspacingMark, .enclosingMark, .spacingMark, .format: return .removed
        case .otherSymbol, .mathSymbol, .currencySymbol, .modifierSymbol, .otherNumber, .letterNumber, .privateUse,
            .surrogate, .unassigned:
            return .symbol
        default: return .punct
        }
    }

    /// Calls `body` with the folded scalars of `v` (none when it is removed, itself when it does
    /// not fold).
    @inline(__always)
    func fold(_ v: UInt32, _ body: (UInt32) -> Void) {
        if v < 0x10000 {
            let e = bmpTable[Int(v)]
            if e == 0 {
                body(v)
                return
            }
            let off = Int(e >> 8)
            let len = Int(e & 0xFF)
            Self.decode(poolTable, off, off + len, body)
        } else if let bytes = astral[v] {
            Self.decode(bytes, 0, bytes.count, body)
        } else {
            body(v)
        }
    }

    @inline(__always)
    func scalarClass(_ v: UInt32) -> Class {
        if v < 0x10000 { return Class(rawValue: classTable[Int(v)]) ?? .symbol }
        guard let s = Unicode.Scalar(v) else { return .symbol }
        return Self.classify(s)
    }

    @inline(__always)
    private static func decode<C: RandomAccessCollection>(_ bytes: C, _ start: Int, _ end: Int, _ body: (UInt32) -> Void)
    where C.Element == UInt8, C.Index == Int {
        var i = start
        while i < end {
            let (v, n) = UTF8Decoding.decode(bytes, at: i, end: end)
            body(v)
            i += n
        }
    }
}

/// Decoding one scalar from valid UTF-8 (Swift strings are always valid UTF-8).
enum UTF8Decoding {
    @inline(__always)
    static func decode<C: RandomAccessCollection>(_ b: C, at i: C.Index, end: C.Index) -> (UInt32, Int)
    where C.Element == UInt8, C.Index == Int {
        let b0 = UInt32(b[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0, i + 1 < end { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1]) & 0x3F, 2) }
        if b0 < 0xF0, i + 2 < end {
            return ((b0 & 0x0F) << 12 | (UInt32(b[i + 1]) & 0x3F) << 6 | UInt32(b[i + 2]) & 0x3F, 3)
        }
        if i + 3 < end {
            return (
                (b0 & 0x07) << 18 | (UInt32(b[i + 1]) & 0x3F) << 12 | (UInt32(b[i + 2]) & 0x3F) << 6
                    | UInt32(b[i + 3]) & 0x3F, 4
            )
        }
        return (0xFFFD, 1)
    }
}
