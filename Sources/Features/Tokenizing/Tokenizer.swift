import Posts

/// One unit of folded text: a word, a number, one CJK character, a symbol or a punctuation mark.
///
/// Pieces keep both their folded bytes (what matching and the model see) and the byte range in
/// the original text (what evidence points at).
struct Piece {
    enum Kind: UInt8 {
        /// Letters, possibly with digits ("hola", "8k", "demo_1" is split at '_').
        case word
        /// Digits only ("555", "2024").
        case number
        /// One Han, kana or Hangul character.
        case cjk
        /// Emoji, currency signs and other symbols.
        case symbol
        /// Punctuation: '.', '/', '@', '#', '+', ':' and the like.
        case punct
    }

    var kind: Kind
    /// Folded UTF-8 bytes in `Pieces.text`.
    var textStart: Int32
    var textEnd: Int32
    /// Byte range in the original field text.
    var start: Int32
    var end: Int32
    /// Whitespace came between the previous piece and this one.
    var spaceBefore: Bool
    /// A number that came from digit words or Chinese numerals, not from digits.
    var spelledOut = false
}

/// The pieces of one text, reusing storage from text to text.
struct Pieces {
    var items: [Piece] = []
    var text: [UInt8] = []
    /// Where the word being built starts in `text`.
    var wordStart = 0

    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
    }

    var count: Int { items.count }
    subscript(i: Int) -> Piece { items[i] }

    /// The folded bytes of piece `i`.
    @inline(__always) func bytes(_ i: Int) -> ArraySlice<UInt8> {
        text[Int(items[i].textStart)..<Int(items[i].textEnd)]
    }

    /// True when piece `i` folds to exactly `ascii`.
    @inline(__always) func piece(_ i: Int, is ascii: StaticString) -> Bool {
        guard i >= 0, i < items.count else { return false }
        let p = items[i]
        let n = ascii.utf8CodeUnitCount
        guard Int(p.textEnd - p.textStart) == n else { return false }
        let base = Int(p.textStart)
        let s = ascii.utf8Start
        for k in 0..<n where text[base + k] != s[k] { return false }
        return true
    }

    /// The single scalar of a CJK, symbol or punctuation piece.
    @inline(__always) func scalar(_ i: Int) -> UInt32 {
        let p = items[i]
        return UTF8Decoding.decode(text, at: Int(p.textStart), end: Int(p.textEnd)).0
    }

    func string(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }
}

/// Splits UTF-8 text into folded pieces, one pass over the bytes.
///
/// Folding (NFKC, lower case, accents removed, Traditional → Simplified, zero-width and joiner
/// characters removed) comes from `FoldTable`; letter runs of three or more ("heeeelp") collapse
/// to one letter, so stretched words match their plain form.
struct Tokenizer {
    let table = FoldTable.shared
    /// Split words at lower→upper case changes ("CruzarLaFrontera"), for hashtags.
    var splitCamelCase = false

    private static let asciiClass: [FoldTable.Class] = (0..<128).map { b -> FoldTable.Class in
        switch UInt8(b) {
        case 0x30...0x39: return .digit
        case 0x41...0x5A, 0x61...0x7A: return .letter
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20: return .space
        case 0x00..<0x20, 0x7F: return .space
        case UInt8(ascii: "$"), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"),
            UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "="):
            return .symbol
        default: return .punct
        }
    }

    /// Hands the pieces of `text` to `out` in order: a piece array for pattern matching and
    /// evidence, or a `TokenScan` that hashes them on the fly.
    @inline(__always)
    func split<Out: PieceBuilder>(_ text: UnsafeRawBufferPointer, into out: inout Out) {
        // The class table as a pointer: a static array read per byte costs a lazy-init check.
        Self.asciiClass.withUnsafeBufferPointer { ascii in split(text, ascii: ascii.baseAddress!, into: &out) }
    }

    @inline(__always)
    private func split<Out: PieceBuilder>(_ text: UnsafeRawBufferPointer, ascii: UnsafePointer<FoldTable.Class>, into out: inout Out) {
        var state = WordState()
        var i = 0
        let n = text.count
        var spaceBefore = true
        while i < n {
            let b0 = text[i]
            let start = i
            // ASCII fast path: no table lookups, lower-casing by bit.
            if b0 < 0x80 {
                i += 1
                let cls = ascii[Int(b0)]
                switch cls {
                case .letter:
                    let upper = b0 <= 0x5A
                    if splitCamelCase, upper, state.active, state.lastWasLower { state.finish(into: &out, spaceBefore: &spaceBefore) }
                    state.append(scalar: UInt32(b0 | 0x20), byte: b0 | 0x20, isDigit: false, start: start, end: i, out: &out, spaceBefore: spaceBefore)
                    state.lastWasLower = !upper
                case .digit:
                    state.append(scalar: UInt32(b0), byte: b0, isDigit: true, start: start, end: i, out: &out, spaceBefore: spaceBefore)
                    state.lastWasLower = false
                case .space:
                    state.finish(into: &out, spaceBefore: &spaceBefore)
                    spaceBefore = true
                default:
                    state.finish(into: &out, spaceBefore: &spaceBefore)
                    out.single(cls == .symbol ? .symbol : .punct, byte: b0, start: start, end: i, spaceBefore: spaceBefore)
                    spaceBefore = false
                }
                continue
            }
            let (v, len) = UTF8Decoding.decode(text, at: i, end: n)
            i += len
            let originalIsUpper = splitCamelCase && Self.isUpper(v)
            table.fold(v) { f in
                let cls = f < 0x80 ? ascii[Int(f)] : table.scalarClass(f)
                switch cls {
                case .letter:
                    if originalIsUpper, state.active, state.lastWasLower { state.finish(into: &out, spaceBefore: &spaceBefore) }
                    state.append(scalar: f, byte: nil, isDigit: false, start: start, end: i, out: &out, spaceBefore: spaceBefore)
                    state.lastWasLower = !originalIsUpper
                case .digit:
                    // Non-ASCII decimal digits (Arabic-Indic, Devanagari…) read as their value.
                    let value = f < 0x80 ? f : UInt32(Unicode.Scalar(f)?.properties.numericValue ?? 0) + 0x30
                    state.append(scalar: value, byte: UInt8(value), isDigit: true, start: start, end: i, out: &out, spaceBefore: spaceBefore)
                    state.lastWasLower = false
                case .space:
                    state.finish(into: &out, spaceBefore: &spaceBefore)
                    spaceBefore = true
                case .removed:
                    break  // zero-width, joiners, variation selectors: as if absent
                case .han, .kana, .hangul:
                    state.finish(into: &out, spaceBefore: &spaceBefore)
                    out.single(.cjk, scalar: f, start: start, end: i, spaceBefore: spaceBefore)
                    spaceBefore = false
                case .symbol, .punct:
                    state.finish(into: &out, spaceBefore: &spaceBefore)
                    out.single(cls == .symbol ? .symbol : .punct, scalar: f, start: start, end: i, spaceBefore: spaceBefore)
                    spaceBefore = false
                }
            }
        }
        state.finish(into: &out, spaceBefore: &spaceBefore)
    }

    @inline(__always) static func isUpper(_ v: UInt32) -> Bool {
        guard let s = Unicode.Scalar(v) else { return false }
        return s.properties.isUppercase
    }

    /// The word being built: its first folded byte in `Pieces.text`, the original start, and
    /// the current letter run (for collapsing "heeeelp").
    struct WordState {
        var active = false
        var start = 0
        var end = 0
        var allDigits = true
        var lastScalar: UInt32 = 0
        var runLength = 0
        var lastScalarBytes = 0
        var lastWasLower = false

        @inline(__always)
        mutating func append<Out: PieceBuilder>(
            scalar: UInt32, byte: UInt8?, isDigit: Bool, start s: Int, end e: Int, out: inout Out, spaceBefore: Bool
        ) {
            if !active {
                active = true
                out.beginWord(spaceBefore: spaceBefore)
                start = s
                allDigits = true
                runLength = 0
                lastScalar = 0
            }
            end = e
            if !isDigit { allDigits = false }
            if scalar == lastScalar && !isDigit {
                runLength += 1
                if runLength == 3 {
                    // Third in a row: drop the second copy; later copies are skipped too.
                    out.dropLastScalar(lastScalarBytes)
                    return
                }
                if runLength > 3 { return }
            } else {
                lastScalar = scalar
                runLength = 1
            }
            if let byte {
                out.appendWord(byte: byte)
                lastScalarBytes = 1
            } else {
                lastScalarBytes = out.appendWord(scalar: scalar)
            }
        }

        @inline(__always)
        mutating func finish<Out: PieceBuilder>(into out: inout Out, spaceBefore: inout Bool) {
            guard active else { return }
            active = false
            lastWasLower = false
            out.finishWord(isNumber: allDigits, start: start, end: end, spaceBefore: spaceBefore)
            spaceBefore = false
        }
    }
}

/// Where the tokenizer puts what it finds. The tokenizer decides the pieces (folding, splitting,
/// collapsing "heeeelp"); builders only record them, so every builder sees the same pieces.
protocol PieceBuilder {
    /// A word or number starts; its bytes follow.
    mutating func beginWord(spaceBefore: Bool)
    mutating func appendWord(byte: UInt8)
    /// Appends a folded scalar to the current word and returns its UTF-8 length.
    mutating func appendWord(scalar: UInt32) -> Int
    /// Removes the last scalar appended (`count` bytes): the "heeeelp" → "help" collapse.
    mutating func dropLastScalar(_ count: Int)
    mutating func finishWord(isNumber: Bool, start: Int, end: Int, spaceBefore: Bool)
    /// A one-scalar piece: CJK, symbol or punctuation.
    mutating func single(_ kind: Piece.Kind, byte: UInt8, start: Int, end: Int, spaceBefore: Bool)
    mutating func single(_ kind: Piece.Kind, scalar: UInt32, start: Int, end: Int, spaceBefore: Bool)
}

extension Pieces: PieceBuilder {
    @inline(__always)
    mutating func beginWord(spaceBefore: Bool) { wordStart = text.count }

    @inline(__always)
    mutating func appendWord(byte: UInt8) { text.append(byte) }

    @inline(__always)
    mutating func appendWord(scalar: UInt32) -> Int {
        let before = text.count
        UTF8Bytes.append(scalar, to: &text)
        return text.count - before
    }

    @inline(__always)
    mutating func dropLastScalar(_ count: Int) { text.removeLast(count) }

    @inline(__always)
    mutating func finishWord(isNumber: Bool, start: Int, end: Int, spaceBefore: Bool) {
        items.append(
            Piece(
                kind: isNumber ? .number : .word, textStart: Int32(wordStart), textEnd: Int32(text.count),
                start: Int32(start), end: Int32(end), spaceBefore: spaceBefore))
    }

    @inline(__always)
    mutating func single(_ kind: Piece.Kind, byte: UInt8, start: Int, end: Int, spaceBefore: Bool) {
        let t = text.count
        text.append(byte)
        items.append(
            Piece(kind: kind, textStart: Int32(t), textEnd: Int32(t + 1), start: Int32(start), end: Int32(end), spaceBefore: spaceBefore))
    }

    @inline(__always)
    mutating func single(_ kind: Piece.Kind, scalar: UInt32, start: Int, end: Int, spaceBefore: Bool) {
        let t = text.count
        UTF8Bytes.append(scalar, to: &text)
        items.append(
            Piece(kind: kind, textStart: Int32(t), textEnd: Int32(text.count), start: Int32(start), end: Int32(end), spaceBefore: spaceBefore))
    }
}
