/// The fast path's piece builder: hashes the tokens of one text while the tokenizer finds its
/// pieces, with no piece array, and watches for anything that could start a contact or price
/// pattern or a spelled-out number.
///
/// Most patterns are found here too (`ScanPatterns.swift`): phones, prices, @handles, contact
/// words, WeChat mentions and ids, "link in bio", the Chinese mentions. The scan keeps a small
/// record of each piece (kind, hash, scalar, where its tokens are); a text where one of those
/// may start (`scanPatterns`) is matched over the records exactly as `findPatterns` matches
/// pieces, and its tokens are filtered as the piece path filters the pieces a pattern consumed.
///
/// Links, numbers written in words and words spelled letter by letter look ahead, rewrite
/// pieces or need their bytes, so a text where `mightMatch` is set is
/// extracted again by the piece path (`FeatureExtractor.extract(bytes:…)`). The watch is
/// deliberately broad: a false alarm costs a second pass over one text, a miss would change
/// the tokens. `EquivalenceTests` compare both paths on the corpus and on random text.
struct TokenScan: PieceBuilder {
    /// Token hashes, in the order the piece path emits them (after `findPatterns`).
    var tokens = HashBuffer()
    /// The other token buffer: `findPatterns` writes the filtered tokens here, then swaps.
    var spare = HashBuffer()
    /// One record per piece, for the patterns the scan finds itself.
    let pieces = ScanPieces()
    /// The folded bytes of words and numbers, kept when the sink may need token texts
    /// (`keepsText`: a trainer meeting new tokens), so texts come without the piece path.
    let text = ByteBuffer()
    var keepsText = false
    var wordTextStart = 0
    /// Pattern tokens found by `findPatterns` (they come first in `tokens`).
    var patternCount = 0
    /// Where each later token comes from, for `text(ofToken:)` (see `tokenSources()`).
    let sources = HashBuffer()
    /// Copies of shared tables, so the per-word code reads no lazily initialised globals.
    let triggers = Trigger.table
    let numberHash = TokenHash.hash("__num__")
    /// The text may hold a link, a number written in words or a word spelled letter by letter:
    /// use the piece path.
    var mightMatch = false
    /// The text has a number, a currency sign, an '@', a word like "8k", a contact word or a
    /// Chinese mention: run `findPatterns` over the piece records.
    var scanPatterns = false
    var wordBigrams = true
    var cjkBigrams = true
    var isHashtag = false

    // The word being built: its hash; `alt`, the same bytes continuing the previous word and a
    // space (its bigram) or a '#' ("#word"); `whole`, the whole-hashtag hash. The `…Before`
    // values are from before the last scalar, for the "heeeelp" collapse.
    var h = TokenHash.offsetBasis
    var alt = TokenHash.offsetBasis
    var whole = TokenHash.offsetBasis
    var hBefore = TokenHash.offsetBasis
    var altBefore = TokenHash.offsetBasis
    var wholeBefore = TokenHash.offsetBasis
    var hasAlt = false
    var wordBytes = 0
    var wordDigits = 0
    var wordLastByte: UInt8 = 0
    var wholeUsed = false

    enum Kind: UInt8 { case none, word, number, cjk, symbol, punct }
    /// The previous piece: its kind, hash (words and CJK) and scalar (CJK and punctuation).
    var prev = Kind.none
    var prevHash: UInt64 = 0
    var prevScalar: UInt32 = 0
    var index = 0

    // The pattern watch (FeatureExtractor+Patterns.swift is what it must not miss).
    /// Index of the first one-letter word of a run like "w h a t s a p p" / "t.g", or -1.
    var letterRun = -1
    /// Digit words in a row ("cinco cinco cinco"), separated only by '-', ',' or '.'.
    var numberWords = 0
    var afterChineseDigit = false
    /// What the next piece must not be: "http" + ':' or '.', "t" / "wa" + '.', "v" + 信.
    var pending = Trigger.Role.none
    /// The previous piece was 加, which a "v" after it turns into a WeChat mention ("加V").
    var afterJia = false

    mutating func reset(hashtag: Bool, wordBigrams: Bool, cjkBigrams: Bool, keepText: Bool) {
        tokens.count = 0
        pieces.count = 0
        text.count = 0
        keepsText = keepText
        patternCount = 0
        mightMatch = false
        scanPatterns = false
        isHashtag = hashtag
        self.wordBigrams = wordBigrams
        self.cjkBigrams = cjkBigrams
        whole = TokenHash.step(TokenHash.offsetBasis, UInt8(ascii: "#"))
        wholeUsed = false
        prev = .none
        index = 0
        letterRun = -1
        numberWords = 0
        afterChineseDigit = false
        pending = .none
        afterJia = false
    }

    /// After the last piece: a hashtag also counts whole ("#cruzarlafrontera").
    @inline(__always)
    mutating func end() {
        if isHashtag && wholeUsed { tokens.append(whole) }
    }

    // MARK: - Words and numbers

    @inline(__always)
    mutating func beginWord(spaceBefore: Bool) {
        h = TokenHash.offsetBasis
        wordBytes = 0
        wordDigits = 0
        wordTextStart = text.count
        hasAlt = true
        if prev == .word && wordBigrams {
            alt = TokenHash.step(prevHash, 0x20)
        } else if prev == .punct && prevScalar == 0x23 && !spaceBefore && !isHashtag {
            alt = TokenHash.step(TokenHash.offsetBasis, 0x23)
        } else {
            hasAlt = false
        }
    }

    @inline(__always)
    mutating func step(_ b: UInt8) {
        h = TokenHash.step(h, b)
        if hasAlt { alt = TokenHash.step(alt, b) }
        if isHashtag { whole = TokenHash.step(whole, b) }
    }

    /// Keeps the hashes from before a scalar that may be dropped later: only the second copy
    /// of a scalar is ever dropped, and it ends with the same byte as the copy before it.
    @inline(__always)
    mutating func save(_ lastByte: UInt8) {
        if lastByte == wordLastByte {
            hBefore = h
            altBefore = alt
            wholeBefore = whole
        }
    }

    @inline(__always)
    mutating func appendWord(byte: UInt8) {
        save(byte)
        step(byte)
        if keepsText { text.append(byte) }
        wordBytes += 1
        if byte &- 0x30 < 10 { wordDigits += 1 }
        wordLastByte = byte
    }

    @inline(__always)
    mutating func appendWord(scalar v: UInt32) -> Int {
        save(TokenScan.lastUTF8Byte(v))
        let keep = keepsText
        let n = TokenScan.forEachUTF8Byte(v) { b in
            step(b)
            if keep { text.append(b) }
        }
        wordBytes += n
        wordLastByte = TokenScan.lastUTF8Byte(v)
        return n
    }

    @inline(__always)
    mutating func dropLastScalar(_ count: Int) {
        // Only repeated letters collapse, so the last byte stays the same.
        h = hBefore
        alt = altBefore
        whole = wholeBefore
        wordBytes -= count
        if keepsText { text.count -= count }
    }

    @inline(__always)
    mutating func finishWord(isNumber: Bool, start: Int, end: Int, spaceBefore: Bool) {
        let i = index
        index += 1
        wholeUsed = true
        pending = .none
        if isNumber {
            pieces.append(
                ScanPiece(hash: 0, scalar: 0, length: Int32(wordBytes), textStart: Int32(wordTextStart), tokenStart: Int32(tokens.count), digits: Int32(wordBytes), kind: .number, spaceBefore: spaceBefore, join: false))
            tokens.append(numberHash)
            // A number right after a Chinese digit: a run spelled-out numbers may join.
            if afterChineseDigit { mightMatch = true }
            // A phone or a price may start or end here.
            scanPatterns = true
            letterRun = -1
            numberWords = 0
            afterChineseDigit = false
            afterJia = false
            prev = .number
            return
        }
        pieces.append(
            ScanPiece(hash: h, scalar: UInt32(wordLastByte), length: Int32(wordBytes), textStart: Int32(wordTextStart), tokenStart: Int32(tokens.count), digits: Int32(wordDigits), kind: .word, spaceBefore: spaceBefore, join: hasAlt))
        tokens.append(h)
        if hasAlt { tokens.append(alt) }
        let role = triggers.role(h)
        // A contact word, or 加V: a pattern `findPatterns` matches over the records.
        if role == .starter || (afterJia && role == .beforeXin) { scanPatterns = true }
        afterJia = false
        pending = role
        // "8k": a price in thousands.
        if wordDigits > 0 && wordLastByte == UInt8(ascii: "k") { scanPatterns = true }
        if wordBytes == 1 {
            if letterRun < 0 {
                letterRun = i
            } else if i - letterRun >= 2 {
                mightMatch = true
            }
        } else {
            letterRun = -1
        }
        if role == .numberWord && wordBytes <= 6 {
            numberWords += 1
            if numberWords >= 3 { mightMatch = true }
        } else {
            numberWords = 0
        }
        afterChineseDigit = false
        prev = .word
        prevHash = h
    }

    // MARK: - One-scalar pieces

    @inline(__always)
    mutating func single(_ kind: Piece.Kind, byte: UInt8, start: Int, end: Int, spaceBefore: Bool) {
        single(kind, scalar: UInt32(byte), start: start, end: end, spaceBefore: spaceBefore)
    }

    @inline(__always)
    mutating func single(_ kind: Piece.Kind, scalar v: UInt32, start: Int, end: Int, spaceBefore: Bool) {
        index += 1
        if pending != .none && !spaceBefore {
            switch pending {
            case .beforeColonOrDot: if v == 0x3A || v == 0x2E { mightMatch = true }
            case .beforeDot: if v == 0x2E { mightMatch = true }
            case .beforeXin: if v == 0x4FE1 { scanPatterns = true }
            default: break
            }
        }
        pending = .none
        afterJia = kind == .cjk && v == 0x52A0
        switch kind {
        case .cjk:
            var hs = TokenHash.offsetBasis
            var bigram = prevHash
            var w = whole
            TokenScan.forEachUTF8Byte(v) { b in
                hs = TokenHash.step(hs, b)
                bigram = TokenHash.step(bigram, b)
                w = TokenHash.step(w, b)
            }
            whole = w
            wholeUsed = true
            let joined = prev == .cjk && !spaceBefore
            pieces.append(
                ScanPiece(hash: 0, scalar: v, length: 0, textStart: 0, tokenStart: Int32(tokens.count), digits: 0, kind: .cjk, spaceBefore: spaceBefore, join: cjkBigrams && joined))
            tokens.append(hs)
            if cjkBigrams && joined { tokens.append(bigram) }
            // A Chinese digit run (with a price unit); 微信, 私信… (a unit after a number is a
            // price `findPatterns` finds).
            let digit = Trigger.chineseDigit(v) != nil
            if afterChineseDigit && (digit || Trigger.isChinesePriceUnit(v)) { mightMatch = true }
            if joined && Self.startsCJKPattern(prevScalar, v) { scanPatterns = true }
            afterChineseDigit = digit
            letterRun = -1
            numberWords = 0
            prev = .cjk
            prevHash = hs
            prevScalar = v
        case .symbol:
            pieces.append(
                ScanPiece(hash: 0, scalar: v, length: 0, textStart: 0, tokenStart: Int32(tokens.count), digits: 0, kind: .symbol, spaceBefore: spaceBefore, join: false))
            var hs = TokenHash.offsetBasis
            TokenScan.forEachUTF8Byte(v) { hs = TokenHash.step(hs, $0) }
            tokens.append(hs)
            // $ € ¥ £ start a price.
            if v == 0x24 || v == 0x20AC || v == 0xA5 || v == 0xA3 { scanPatterns = true }
            letterRun = -1
            numberWords = 0
            afterChineseDigit = false
            prev = .symbol
        default:
            pieces.append(
                ScanPiece(hash: 0, scalar: v, length: 0, textStart: 0, tokenStart: Int32(tokens.count), digits: 0, kind: .punct, spaceBefore: spaceBefore, join: false))
            // Punctuation is no token, but it joins runs: "t.g", "cinco-cinco".
            if v == 0x40 { scanPatterns = true }  // '@': a handle
            let dotOrDash = v == 0x2E || v == 0x2D
            if !dotOrDash { letterRun = -1 }
            if !(dotOrDash || v == 0x2C) { numberWords = 0 }
            afterChineseDigit = false
            prev = .punct
            prevScalar = v
        }
    }

    /// Two CJK characters that begin a pattern: 微信 薇信 威信, 私信 私聊 私我, 主页, 二维(码),
    /// 扫码, 纸飞(机).
    @inline(__always)
    static func startsCJKPattern(_ a: UInt32, _ b: UInt32) -> Bool {
        switch a {
        case 0x5FAE, 0x8587, 0x5A01: b == 0x4FE1
        case 0x79C1: b == 0x4FE1 || b == 0x804A || b == 0x6211
        case 0x4E3B: b == 0x9875
        case 0x4E8C: b == 0x7EF4
        case 0x626B: b == 0x7801
        case 0x7EB8: b == 0x98DE
        default: false
        }
    }

    // MARK: - UTF-8

    /// Calls `body` with the UTF-8 bytes of scalar `v`; returns how many.
    @discardableResult @inline(__always)
    static func forEachUTF8Byte(_ v: UInt32, _ body: (UInt8) -> Void) -> Int {
        switch v {
        case 0..<0x80:
            body(UInt8(v))
            return 1
        case 0x80..<0x800:
            body(UInt8(0xC0 | (v >> 6)))
            body(UInt8(0x80 | (v & 0x3F)))
            return 2
        case 0x800..<0x10000:
            body(UInt8(0xE0 | (v >> 12)))
            body(UInt8(0x80 | ((v >> 6) & 0x3F)))
            body(UInt8(0x80 | (v & 0x3F)))
            return 3
        default:
            body(UInt8(0xF0 | (v >> 18)))
            body(UInt8(0x80 | ((v >> 12) & 0x3F)))
            body(UInt8(0x80 | ((v >> 6) & 0x3F)))
            body(UInt8(0x80 | (v & 0x3F)))
            return 4
        }
    }

    @inline(__always)
    static func lastUTF8Byte(_ v: UInt32) -> UInt8 { v < 0x80 ? UInt8(v) : UInt8(0x80 | (v & 0x3F)) }
}

