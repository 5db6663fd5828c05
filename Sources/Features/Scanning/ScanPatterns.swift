/// What the scan keeps of one piece, for the patterns it finds itself (phones, prices, @handles,
/// contact words, WeChat ids, the Chinese mentions): enough to match them as `findPatterns` matches pieces, and where the piece's
/// tokens are in the token buffer, to drop them when a pattern consumes the piece.
struct ScanPiece {
    /// Words: the folded word's hash (its token, and its key in `Trigger.table`).
    var hash: UInt64
    /// CJK, symbols and punctuation: the folded scalar; words: their last folded byte.
    var scalar: UInt32
    /// Words and numbers: folded bytes, and where they start in `TokenScan.text` (when kept).
    var length: Int32
    var textStart: Int32
    /// Index of the piece's first token in `TokenScan.tokens`.
    var tokenStart: Int32
    /// Digit bytes (numbers: all of them).
    var digits: Int32
    var kind: Piece.Kind
    var spaceBefore: Bool
    /// The piece's tokens end with one that joins it to the piece before: a word bigram, a
    /// "#word" or a CJK bigram. The piece path drops it when that piece is consumed.
    var join: Bool
    var consumed = false

    /// Bytes of the folded piece.
    var foldedByteCount: Int {
        switch kind {
        case .word, .number: Int(length)
        default: scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
        }
    }

    /// Number, symbol, CJK and word pieces give a token of their own; punctuation none.
    var hasOwnToken: Bool { kind != .punct }
}


extension TokenScan {
    static let phoneHash = TokenHash.hash(PatternToken.phone.rawValue)
    static let priceHash = TokenHash.hash(PatternToken.price.rawValue)
    static let handleHash = TokenHash.hash(PatternToken.handle.rawValue)
    static let whatsappHash = TokenHash.hash(PatternToken.whatsapp.rawValue)
    static let telegramHash = TokenHash.hash(PatternToken.telegram.rawValue)
    static let wechatHash = TokenHash.hash(PatternToken.wechat.rawValue)
    static let wechatIDHash = TokenHash.hash(PatternToken.wechatID.rawValue)
    static let qrHash = TokenHash.hash(PatternToken.qr.rawValue)
    static let dmHash = TokenHash.hash(PatternToken.dm.rawValue)
    static let kHash = TokenHash.hash("k")
    static let vHash = TokenHash.hash("v")
    static let laHash = TokenHash.hash("la")
    static let myHash = TokenHash.hash("my")
    static let miHash = TokenHash.hash("mi")

    /// Finds the patterns over the piece records, as `findPatterns` does over pieces when no
    /// link, spelled-out number or spelled-out word can start (the watch said so): phones,
    /// prices, "8k", @handles, contact words, WeChat mentions and ids, "link in bio", the
    /// Chinese mentions (私信, 二维码, 纸飞机…). Left to right, a pattern
    /// consuming its pieces. When one is found, the tokens become what `emitTokens` gives: the
    /// pattern tokens first, then the tokens of the pieces not consumed, a joining token (bigram,
    /// "#word") only when the piece before it was not consumed.
    ///
    /// Call before `end()`. Each matcher below mirrors its namesake in
    /// `FeatureExtractor+Patterns.swift` step by step, minus the evidence values.
    /// Returns whether a pattern was found.
    @discardableResult
    mutating func findPatterns() -> Bool {
        let n = pieces.count
        let found = spare
        found.count = 0
        var i = 0
        while i < n {
            if pieces[i].consumed {
                i += 1
                continue
            }
            var end: Int?
            switch pieces[i].kind {
            case .word: end = matchWord(i, found)
            case .number: end = matchPrice(i, found) ?? matchPhone(i, from: i, found)
            case .symbol: end = matchPrice(i, found)
            case .punct: end = matchPunct(i, found)
            case .cjk: end = matchCJK(i, found)
            }
            i = (end ?? i) + 1
        }
        guard found.count > 0 else { return false }
        patternCount = found.count
        let t = tokens.base
        for k in 0..<n {
            let p = pieces[k]
            if p.consumed { continue }
            var at = Int(p.tokenStart)
            if p.hasOwnToken {
                found.append(t[at])
                at += 1
            }
            if p.join && !pieces[k - 1].consumed { found.append(t[at]) }
        }
        spare = tokens
        tokens = found
        return true
    }

    /// The text of token `k` (the piece path's text for it), from the piece records and the
    /// kept word bytes: call only when `keepsText`, after `end()`, once `tokenSources()` ran.
    func text(ofToken k: Int) -> String {
        if k < patternCount { return Self.patternTexts[tokens.base[k]] ?? "" }
        let source = sources.base[k - patternCount]
        if source == .max {
            // The whole hashtag: '#' and every word, number and CJK piece.
            var s = "#"
            for i in 0..<pieces.count where pieces[i].kind != .punct && pieces[i].kind != .symbol { s += folded(i) }
            return s
        }
        let i = Int(source >> 1)
        if source & 1 == 0 { return pieces[i].kind == .number ? "__num__" : folded(i) }
        // The joining token: a bigram with the piece before, or "#word".
        switch pieces[i].kind {
        case .cjk: return folded(i - 1) + folded(i)
        default: return pieces[i - 1].kind == .word ? folded(i - 1) + " " + folded(i) : "#" + folded(i)
        }
    }

    /// Appends the UTF-8 bytes of `text(ofToken: k)` to `out`, building no `String`.
    func appendText(ofToken k: Int, to out: ReusableBuffer<UInt8>) {
        if k < patternCount {
            for b in (Self.patternTexts[tokens.base[k]] ?? "").utf8 { out.append(b) }
            return
        }
        let source = sources.base[k - patternCount]
        if source == .max {
            out.append(UInt8(ascii: "#"))
            for i in 0..<pieces.count where pieces[i].kind != .punct && pieces[i].kind != .symbol { appendFolded(i, to: out) }
            return
        }
        let i = Int(source >> 1)
        if source & 1 == 0 {
            if pieces[i].kind == .number {
                for b in "__num__".utf8 { out.append(b) }
            } else {
                appendFolded(i, to: out)
            }
            return
        }
        switch pieces[i].kind {
        case .cjk:
            appendFolded(i - 1, to: out)
            appendFolded(i, to: out)
        default:
            if pieces[i - 1].kind == .word {
                appendFolded(i - 1, to: out)
                out.append(0x20)
            } else {
                out.append(UInt8(ascii: "#"))
            }
            appendFolded(i, to: out)
        }
    }

    /// Appends the folded text of piece `i` (the bytes of `folded(i)`).
    @inline(__always)
    private func appendFolded(_ i: Int, to out: ReusableBuffer<UInt8>) {
        let p = pieces[i]
        switch p.kind {
        case .word, .number:
            out.append(contentsOf: UnsafeBufferPointer(start: text.base + Int(p.textStart), count: Int(p.length)))
        default:
            if Unicode.Scalar(p.scalar) != nil { _ = Self.forEachUTF8Byte(p.scalar) { out.append($0) } }
        }
    }

    /// The folded text of piece `i`.
    private func folded(_ i: Int) -> String {
        let p = pieces[i]
        switch p.kind {
        case .word, .number: return text.string(Int(p.textStart), Int(p.length))
        default: return Unicode.Scalar(p.scalar).map { String($0) } ?? ""
        }
    }

    /// Fills `sources` with where each token after the pattern tokens comes from, in the order
    /// `findPatterns` and `end()` left them: `piece << 1` for a piece's own token, `| 1` for its
    /// joining token, `.max` for the whole hashtag.
    func tokenSources() {
        sources.count = 0
        for k in 0..<pieces.count {
            let p = pieces[k]
            if p.consumed { continue }
            if p.hasOwnToken { sources.append(UInt64(k) << 1) }
            if p.join && !pieces[k - 1].consumed { sources.append(UInt64(k) << 1 | 1) }
        }
        if sources.count + patternCount < tokens.count { sources.append(.max) }
    }

    static let patternTexts: [UInt64: String] = Dictionary(
        uniqueKeysWithValues: PatternToken.allCases.map { (TokenHash.hash($0.rawValue), $0.rawValue) })

    @inline(__always)
    private func report(_ hash: UInt64, _ from: Int, _ to: Int, _ found: HashBuffer) {
        for k in from...to { pieces[k].consumed = true }
        found.append(hash)
    }

    @inline(__always)
    private func isNumber(_ k: Int) -> Bool { pieces[k].kind == .number }

    @inline(__always)
    private func isWordOrNumber(_ k: Int) -> Bool { pieces[k].kind == .word || pieces[k].kind == .number }

    /// A punctuation or symbol piece that is exactly `scalar` (`pieces.piece(k, is:)`).
    @inline(__always)
    private func isMark(_ k: Int, _ scalar: UInt32) -> Bool {
        (pieces[k].kind == .punct || pieces[k].kind == .symbol) && pieces[k].scalar == scalar
    }

    /// `Trigger.table[hash]` of a word piece (only words can be trigger words).
    @inline(__always)
    private func trigger(_ k: Int) -> Trigger? {
        pieces[k].kind == .word ? Trigger.table[pieces[k].hash] : nil
    }

    private func isCurrency(_ k: Int) -> Bool {
        if case .currency = trigger(k) { return true }
        return false
    }

    /// `matchWord`, for the words the watch lets through: contact words ("whatsapp", "dm"),
    /// WeChat with its id, "V信", "link in bio", and "8k". Links ("http:", "wa.me", "t.me/") and
    /// letters spelled one by one ("w h a t s a p p") went to the piece path.
    private func matchWord(_ i: Int, _ found: HashBuffer) -> Int? {
        let p = pieces[i]
        if triggers.role(p.hash) != .none {
            switch Trigger.table[p.hash] {
            case .whatsapp:
                report(Self.whatsappHash, i, i, found)
                return i
            case .telegram:
                report(Self.telegramHash, i, i, found)
                return i
            case .wechat:
                report(Self.wechatHash, i, i, found)
                return matchWeChatID(after: i, found) ?? i
            case .v:
                // "V信": a Latin v before 信.
                guard i + 1 < pieces.count, !pieces[i + 1].spaceBefore, pieces[i + 1].kind == .cjk, pieces[i + 1].scalar == 0x4FE1
                else { return nil }
                report(Self.wechatHash, i, i + 1, found)
                return matchWeChatID(after: i + 1, found) ?? i + 1
            case .qr:
                report(Self.qrHash, i, i, found)
                return i
            case .dm:
                report(Self.dmHash, i, i, found)
                return i
            case .link:
                // "link in bio", "link en bio", "enlace en la bio".
                let n = pieces.count
                var j = i + 1
                if j < n, trigger(j) == .linkPreposition { j += 1 }
                if j < n, isWord(j, Self.laHash, 2) || isWord(j, Self.myHash, 2) || isWord(j, Self.miHash, 2) { j += 1 }
                guard j < n, j > i + 1, trigger(j) == .bio else { return nil }
                report(Self.dmHash, i, j, found)
                return j
            default:
                // "http", "wa", "t" only start a link with ':' or '.' after them (the watch);
                // units, digit words and "in" / "bio" start nothing on their own.
                return nil
            }
        }
        // "8k", "10k", "12K": a price in thousands. Digits never collapse, so n-1 digits and a
        // last byte 'k' is "digits + k" exactly.
        guard p.length >= 2, p.digits == p.length - 1, p.scalar == UInt32(UInt8(ascii: "k")) else { return nil }
        var end = i
        if end + 1 < pieces.count, isCurrency(end + 1) { end += 1 }
        report(Self.priceHash, i, end, found)
        return end
    }

    /// A word piece that folds to the `length`-byte word hashing to `hash` (`pieces.piece(k, is:)`).
    @inline(__always)
    private func isWord(_ k: Int, _ hash: UInt64, _ length: Int32) -> Bool {
        pieces[k].kind == .word && pieces[k].hash == hash && pieces[k].length == length
    }

    /// `matchWeChatID`: an id after a mention, "微信: coyote_demo", "VX：abc123_demo", "加V abc_demo".
    private func matchWeChatID(after i: Int, _ found: HashBuffer) -> Int? {
        let n = pieces.count
        var j = i + 1
        var skipped = 0
        while j < n, skipped < 2 {
            let q = pieces[j]
            if q.kind == .punct, q.scalar == 0x3A || q.scalar == 0x2D || q.scalar == 0x3D {
                j += 1
                skipped += 1
            } else if q.kind == .cjk, q.scalar == 0x53F7 || q.scalar == 0x662F || q.scalar == 0x52A0 {  // 号 是 加
                j += 1
                skipped += 1
            } else {
                break
            }
        }
        guard j < n, isWordOrNumber(j), !pieces[j].consumed else { return nil }
        if pieces[j].kind == .word, Trigger.table[pieces[j].hash] != nil, pieces[j].length < 5 { return nil }
        let end = linkRun(from: j)
        var bytes = 0
        for k in j...end { bytes += pieces[k].foldedByteCount }
        guard bytes >= 5, bytes <= 40 else { return nil }
        report(Self.wechatIDHash, j, end, found)
        return end
    }

    /// `matchCJK`: 微信 / 薇信 / 威信 (+ id), 加V (+ id), 私信 私聊 私我, 主页, 二维码, 扫码, 纸飞机.
    private func matchCJK(_ i: Int, _ found: HashBuffer) -> Int? {
        let n = pieces.count
        func next(_ k: Int) -> UInt32? {
            guard i + k < n, pieces[i + k].kind == .cjk, !pieces[i + k].spaceBefore else { return nil }
            return pieces[i + k].scalar
        }
        switch pieces[i].scalar {
        case 0x5FAE, 0x8587, 0x5A01:  // 微 薇 威 + 信
            guard next(1) == 0x4FE1 else { return nil }
            report(Self.wechatHash, i, i + 1, found)
            return matchWeChatID(after: i + 1, found) ?? i + 1
        case 0x52A0:  // 加 + V / VX / WX
            guard i + 1 < n, pieces[i + 1].kind == .word, isWord(i + 1, Self.vHash, 1) || trigger(i + 1) == .wechat else { return nil }
            report(Self.wechatHash, i, i + 1, found)
            return matchWeChatID(after: i + 1, found) ?? i + 1
        case 0x79C1:  // 私信 私聊 私我
            guard let w = next(1), w == 0x4FE1 || w == 0x804A || w == 0x6211 else { return nil }
            report(Self.dmHash, i, i + 1, found)
            return i + 1
        case 0x4E3B:  // 主页
            guard next(1) == 0x9875 else { return nil }
            report(Self.dmHash, i, i + 1, found)
            return i + 1
        case 0x4E8C:  // 二维码
            guard next(1) == 0x7EF4, next(2) == 0x7801 else { return nil }
            report(Self.qrHash, i, i + 2, found)
            return i + 2
        case 0x626B:  // 扫码
            guard next(1) == 0x7801 else { return nil }
            report(Self.qrHash, i, i + 1, found)
            return i + 1
        case 0x7EB8:  // 纸飞机
            guard next(1) == 0x98DE, next(2) == 0x673A else { return nil }
            report(Self.telegramHash, i, i + 2, found)
            return i + 2
        default:
            return nil
        }
    }

    /// `matchPunct`: an @handle, or a phone after '+' or '('.
    private func matchPunct(_ i: Int, _ found: HashBuffer) -> Int? {
        let n = pieces.count
        if isMark(i, 0x40) {
            let afterWord = i > 0 && !pieces[i].spaceBefore && isWordOrNumber(i - 1)
            guard !afterWord, i + 1 < n, !pieces[i + 1].spaceBefore, isWordOrNumber(i + 1) else { return nil }
            let end = linkRun(from: i + 1)
            report(Self.handleHash, i, end, found)
            return end
        }
        if isMark(i, 0x2B) || isMark(i, 0x28), i + 1 < n, isNumber(i + 1) {
            return matchPhone(i + 1, from: i, found)
        }
        return nil
    }

    /// `linkRun`: the last piece of a run written without spaces.
    private func linkRun(from i: Int) -> Int {
        let n = pieces.count
        var j = i
        while j + 1 < n {
            let q = pieces[j + 1]
            if q.spaceBefore { break }
            if q.kind == .word || q.kind == .number {
                j += 1
                continue
            }
            if q.kind == .punct, isLinkPunct(j + 1), j + 2 < n, !pieces[j + 2].spaceBefore,
                isWordOrNumber(j + 2) || isLinkPunct(j + 2)
            {
                j += 1
                continue
            }
            break
        }
        return j
    }

    private func isLinkPunct(_ k: Int) -> Bool {
        guard pieces[k].kind == .punct || pieces[k].kind == .symbol else { return false }
        switch pieces[k].scalar {
        case 0x2E, 0x2F, 0x5F, 0x2D, 0x3F, 0x3D, 0x26, 0x25, 0x3A, 0x7E: return true  // . / _ - ? = & % : ~
        default: return false
        }
    }

    /// `matchPhone`: 7 to 15 digits in groups separated by spaces, dots, dashes or brackets.
    private func matchPhone(_ i: Int, from first: Int, _ found: HashBuffer) -> Int? {
        let n = pieces.count
        var count = 0
        var last = i
        var j = i
        while j < n, !pieces[j].consumed {
            let q = pieces[j]
            if q.kind == .number {
                count += Int(q.length)
                if count > 15 { return nil }
                last = j
                j += 1
            } else if q.kind == .punct, j + 1 < n, q.scalar == 0x2D || q.scalar == 0x2E || q.scalar == 0x28 || q.scalar == 0x29,
                isNumber(j + 1) || isMark(j + 1, 0x28)
            {
                j += 1
            } else if q.kind == .punct, q.scalar == 0x29 {
                j += 1
            } else {
                break
            }
        }
        guard count >= 7 else { return nil }
        report(Self.phoneHash, first, last, found)
        return last
    }

    /// `matchPrice`: "$8,000", "8 mil dólares", "9,500 USD", "1.5万", "8万美金", "€ 3000".
    private func matchPrice(_ i: Int, _ found: HashBuffer) -> Int? {
        let n = pieces.count
        var j = i
        var currency = false
        if pieces[i].kind == .symbol {
            switch pieces[i].scalar {
            case 0x24, 0x20AC, 0xA5, 0xA3: currency = true
            default: return nil
            }
            j = i + 1
            guard j < n, isNumber(j) else { return nil }
        }
        // The amount: digit groups joined by ',' or '.', or by a space before a 3-digit group.
        var last = j
        var k = j + 1
        while k < n {
            if !pieces[k].spaceBefore, pieces[k].kind == .punct, pieces[k].scalar == 0x2C || pieces[k].scalar == 0x2E,
                k + 1 < n, !pieces[k + 1].spaceBefore, isNumber(k + 1)
            {
                last = k + 1
                k += 2
            } else if isNumber(k), pieces[k].length == 3 {
                last = k
                k += 1
            } else {
                break
            }
        }
        var unit = false
        if k < n {
            if pieces[k].kind == .word {
                switch trigger(k) {
                case .thousand:
                    unit = true
                    last = k
                    k += 1
                case .currency:
                    currency = true
                    last = k
                    k += 1
                default:
                    if pieces[k].hash == Self.kHash && pieces[k].length == 1 {
                        unit = true
                        last = k
                        k += 1
                    }
                }
                if unit, k < n, isCurrency(k) {
                    currency = true
                    last = k
                }
            } else if pieces[k].kind == .cjk, Trigger.isChinesePriceUnit(pieces[k].scalar) {
                last = k
                currency = true
                // 万美金 / 万美元 / 万元: take the unit and the currency.
                while last + 1 < n, pieces[last + 1].kind == .cjk, Self.isUnitTail(pieces[last + 1].scalar) { last += 1 }
                unit = true
            }
        }
        guard currency || unit else { return nil }
        if pieces[i].kind == .number, !currency, digits(i, last) >= 7 { return nil }
        report(Self.priceHash, i, last, found)
        return last
    }

    /// 美 金 元 块 刀 after a Chinese price unit.
    @inline(__always)
    static func isUnitTail(_ v: UInt32) -> Bool {
        v == 0x7F8E || v == 0x91D1 || v == 0x5143 || v == 0x5757 || v == 0x5200
    }

    /// Digit bytes of the number and word pieces in `from...to`.
    private func digits(_ from: Int, _ to: Int) -> Int {
        var d = 0
        for k in from...to where pieces[k].kind == .number || pieces[k].kind == .word { d += Int(pieces[k].digits) }
        return d
    }
}
