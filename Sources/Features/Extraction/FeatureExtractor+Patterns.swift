import Posts

/// The pattern tokens: contact identifiers, solicitations and prices.
public enum PatternToken: String, CaseIterable, Sendable {
    case phone = "__phone__"
    case waLink = "__wa_link__"
    case whatsapp = "__whatsapp__"
    case tgHandle = "__tg_handle__"
    case telegram = "__telegram__"
    case wechat = "__wechat__"
    case wechatID = "__wechat_id__"
    case handle = "__handle__"
    case qr = "__qr__"
    case dm = "__dm__"
    case price = "__price__"
    case url = "__url__"

    var kind: Evidence.Kind {
        switch self {
        case .phone: .phone
        case .waLink, .whatsapp: .whatsapp
        case .tgHandle, .telegram: .telegram
        case .wechat, .wechatID: .wechat
        case .handle: .handle
        case .qr: .qr
        case .dm: .dm
        case .price: .price
        case .url: .url
        }
    }

    static let hashes: [PatternToken: UInt64] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, TokenHash.hash($0.rawValue)) })
}

extension FeatureExtractor {
    // MARK: - Numbers written as words or Chinese numerals

    /// Rewrites runs of digit words ("five five five zero one", "cinco cinco cinco") and of
    /// Chinese numerals ("五五五零一", "幺三八") as number pieces, so phone and price patterns see
    /// digits. Short runs stay words: "one or two" is not a number.
    /// Returns whether any run was rewritten (piece indexes then change).
    @discardableResult
    mutating func spellOutNumbers() -> Bool {
        var runs: [(from: Int, to: Int, digits: [UInt8])] = []
        var i = 0
        let n = pieces.count
        while i < n {
            let p = pieces[i]
            if p.kind == .word, let d = numberWordDigit(i) {
                var digits = [d + 0x30]
                var last = i
                var j = i + 1
                while j < n {
                    if let d = numberWordDigit(j) {
                        digits.append(d + 0x30)
                        last = j
                        j += 1
                    } else if pieces[j].kind == .punct, pieces.piece(j, is: "-") || pieces.piece(j, is: ",") || pieces.piece(j, is: ".") {
                        j += 1
                    } else {
                        break
                    }
                }
                if digits.count >= 3 { runs.append((i, last, digits)) }
                i = last + 1
                continue
            }
            if p.kind == .cjk, let d = Trigger.chineseDigit(pieces.scalar(i)) {
                var digits = [d + 0x30]
                var last = i
                var j = i + 1
                while j < n, pieces[j].kind == .cjk || pieces[j].kind == .number {
                    if pieces[j].kind == .number {
                        digits.append(contentsOf: pieces.bytes(j))
                    } else if let d = Trigger.chineseDigit(pieces.scalar(j)) {
                        digits.append(d + 0x30)
                    } else {
                        break
                    }
                    last = j
                    j += 1
                }
                let beforeUnit = j < n && pieces[j].kind == .cjk && Trigger.isChinesePriceUnit(pieces.scalar(j))
                if digits.count >= 4 || beforeUnit { runs.append((i, last, digits)) }
                i = last + 1
                continue
            }
            i += 1
        }
        guard !runs.isEmpty else { return false }
        var items: [Piece] = []
        items.reserveCapacity(n)
        var next = 0
        for run in runs {
            items.append(contentsOf: pieces.items[next..<run.from])
            let t = pieces.text.count
            pieces.text.append(contentsOf: run.digits)
            var piece = Piece(
                kind: .number, textStart: Int32(t), textEnd: Int32(pieces.text.count), start: pieces[run.from].start,
                end: pieces[run.to].end, spaceBefore: pieces[run.from].spaceBefore)
            piece.spelledOut = true
            items.append(piece)
            next = run.to + 1
        }
        items.append(contentsOf: pieces.items[next..<n])
        pieces.items = items
        return true
    }

    func numberWordDigit(_ i: Int) -> UInt8? {
        guard pieces[i].kind == .word, pieces[i].textEnd - pieces[i].textStart <= 6 else { return nil }
        if case .numberWord(let d) = Trigger.table[hashes[i]] { return d }
        return nil
    }

    // MARK: - Patterns

    mutating func findPatterns<S: TokenSink>(_ c: inout Context, into sink: inout S) {
        let n = pieces.count
        var i = 0
        while i < n {
            if consumed[i] {
                i += 1
                continue
            }
            var end: Int?
            switch pieces[i].kind {
            case .word: end = matchWord(i, &c, &sink)
            case .number: end = matchPrice(i, &c, &sink) ?? matchPhone(i, from: i, &c, &sink)
            case .symbol: end = matchPrice(i, &c, &sink)
            case .punct: end = matchPunct(i, &c, &sink)
            case .cjk: end = matchCJK(i, &c, &sink)
            }
            i = (end ?? i) + 1
        }
    }

    /// Marks pieces `from...to` as used and reports the pattern token and its evidence.
    mutating func report<S: TokenSink>(
        _ token: PatternToken, _ from: Int, _ to: Int, value: String?, _ c: inout Context,
        _ sink: inout S
    ) {
        for k in from...to { consumed[k] = true }
        let start = pieces[from].start
        let end = pieces[to].end
        Self.emit(&sink, c.seen, PatternToken.hashes[token]!, weight: c.weight, origin: c.origin(start, end), text: token.rawValue)
        if sink.wantsEvidence {
            sink.evidence(
                Evidence(
                    kind: token.kind, value: value, text: c.original(start, end), field: c.field,
                    cue: c.field == .captions ? Int(c.index) : nil, cueStart: c.cueStart,
                    range: [c.scalarOffset(start), c.scalarOffset(end)]))
        }
    }

    /// The last piece of a run written without spaces: a link, a handle or an id.
    func linkRun(from i: Int) -> Int {
        var j = i
        while j + 1 < pieces.count {
            let q = pieces[j + 1]
            if q.spaceBefore { break }
            if q.kind == .word || q.kind == .number {
                j += 1
                continue
            }
            if q.kind == .punct, isLinkPunct(j + 1), j + 2 < pieces.count, !pieces[j + 2].spaceBefore,
                pieces[j + 2].kind == .word || pieces[j + 2].kind == .number || isLinkPunct(j + 2)
            {
                j += 1
                continue
            }
            break
        }
        return j
    }

    func isLinkPunct(_ i: Int) -> Bool {
        guard pieces[i].kind == .punct || pieces[i].kind == .symbol, pieces[i].textEnd - pieces[i].textStart == 1 else { return false }
        switch pieces.text[Int(pieces[i].textStart)] {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "?"),
            UInt8(ascii: "="), UInt8(ascii: "&"), UInt8(ascii: "%"), UInt8(ascii: ":"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    func joined(_ from: Int, _ to: Int) -> String {
        var bytes: [UInt8] = []
        for k in from...to { bytes.append(contentsOf: pieces.bytes(k)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func digits(_ from: Int, _ to: Int) -> [UInt8] {
        var out: [UInt8] = []
        for k in from...to where pieces[k].kind == .number || pieces[k].kind == .word {
            for b in pieces.bytes(k) where b >= 0x30 && b <= 0x39 { out.append(b) }
        }
        return out
    }

    func adjacent(_ i: Int, _ ascii: StaticString) -> Bool {
        i < pieces.count && !pieces[i].spaceBefore && pieces.piece(i, is: ascii)
    }

    mutating func matchWord<S: TokenSink>(_ i: Int, _ c: inout Context, _ sink: inout S) -> Int? {
        let h = hashes[i]
        if let trigger = Trigger.table[h] {
            switch trigger {
            case .http, .www:
                guard adjacent(i + 1, ":") || adjacent(i + 1, ".") else { return nil }
                let end = linkRun(from: i)
                let link = joined(i, end)
                let token: PatternToken =
                    link.contains("wa.me/") || link.contains("whatsapp.com") ? .waLink : link.contains("t.me/") ? .tgHandle : .url
                report(token, i, end, value: link, &c, &sink)
                return end
            case .wa:
                guard adjacent(i + 1, "."), adjacent(i + 2, "me") else { return nil }
                let end = linkRun(from: i)
                let d = digits(i, end)
                report(.waLink, i, end, value: d.isEmpty ? self.joined(i, end) : "+" + String(decoding: d, as: UTF8.self), &c, &sink)
                return end
            case .t:
                guard adjacent(i + 1, "."), adjacent(i + 2, "me"), adjacent(i + 3, "/") else { return nil }
                let end = linkRun(from: i)
                report(.tgHandle, i, end, value: self.joined(i, end), &c, &sink)
                return end
            case .whatsapp:
                report(.whatsapp, i, i, value: nil, &c, &sink)
                return i
            case .telegram:
                report(.telegram, i, i, value: nil, &c, &sink)
                return i
            case .wechat:
                report(.wechat, i, i, value: nil, &c, &sink)
                return matchWeChatID(after: i, &c, &sink) ?? i
            case .v:
                // "V信": a Latin v before 信.
                guard i + 1 < pieces.count, !pieces[i + 1].spaceBefore, pieces[i + 1].kind == .cjk,
                    pieces.scalar(i + 1) == 0x4FE1
                else { return nil }
                report(.wechat, i, i + 1, value: nil, &c, &sink)
                return matchWeChatID(after: i + 1, &c, &sink) ?? i + 1
            case .qr:
                report(.qr, i, i, value: nil, &c, &sink)
                return i
            case .dm:
                report(.dm, i, i, value: nil, &c, &sink)
                return i
            case .link:
                // "link in bio", "link en bio", "enlace en la bio".
                var j = i + 1
                if j < pieces.count, Trigger.table[hashes[j]] == .linkPreposition { j += 1 }
                if j < pieces.count, pieces.piece(j, is: "la") || pieces.piece(j, is: "my") || pieces.piece(j, is: "mi") { j += 1 }
                guard j < pieces.count, j > i + 1, Trigger.table[hashes[j]] == .bio else { return nil }
                report(.dm, i, j, value: nil, &c, &sink)
                return j
            default:
                return nil
            }
        }
        let word = pieces.bytes(i)
        // "8k", "10k", "12K": a price in thousands.
        if word.count >= 2, word.last == UInt8(ascii: "k"), word.dropLast().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var end = i
            if end + 1 < pieces.count, case .currency = Trigger.table[hashes[end + 1]] { end += 1 }
            var currency = ""
            if end > i, case .currency(let code) = Trigger.table[hashes[end]] { currency = " " + code }
            let value = Self.amount(String(decoding: word.dropLast(), as: UTF8.self), multiplier: 1000) + currency
            report(.price, i, end, value: value, &c, &sink)
            return end
        }
        // Letters spelled one by one: "w h a t s a p p", "t.e.l.e.g.r.a.m".
        if word.count == 1 {
            var j = i
            var hash = hashes[i]
            var last = i
            while j + 1 < pieces.count {
                let q = pieces[j + 1]
                if q.kind == .word, q.textEnd - q.textStart == 1 {
                    hash = TokenHash.hash(pieces.bytes(j + 1), from: hash)
                    last = j + 1
                    j += 1
                } else if q.kind == .punct, pieces.piece(j + 1, is: ".") || pieces.piece(j + 1, is: "-") {
                    j += 1
                } else {
                    break
                }
            }
            if last - i >= 2, let trigger = Trigger.table[hash] {
                switch trigger {
                case .whatsapp: report(.whatsapp, i, last, value: nil, &c, &sink)
                case .telegram: report(.telegram, i, last, value: nil, &c, &sink)
                case .wechat: report(.wechat, i, last, value: nil, &c, &sink)
                default: return nil
                }
                return last
            }
        }
        return nil
    }

    /// A WeChat id after a mention: "微信: coyote_demo", "VX：abc123_demo", "加V abc_demo".
    mutating func matchWeChatID<S: TokenSink>(after i: Int, _ c: inout Context, _ sink: inout S) -> Int? {
        var j = i + 1
        var skipped = 0
        while j < pieces.count, skipped < 2 {
            if pieces[j].kind == .punct, pieces.piece(j, is: ":") || pieces.piece(j, is: "-") || pieces.piece(j, is: "=") {
                j += 1
                skipped += 1
            } else if pieces[j].kind == .cjk, [0x53F7, 0x662F, 0x52A0].contains(pieces.scalar(j)) {  // 号 是 加
                j += 1
                skipped += 1
            } else {
                break
            }
        }
        guard j < pieces.count, pieces[j].kind == .word || pieces[j].kind == .number, !consumed[j] else { return nil }
        if Trigger.table[hashes[j]] != nil, pieces[j].kind == .word, pieces.bytes(j).count < 5 { return nil }
        let end = linkRun(from: j)
        let id = joined(j, end)
        guard id.utf8.count >= 5, id.utf8.count <= 40 else { return nil }
        report(.wechatID, j, end, value: id, &c, &sink)
        return end
    }

    mutating func matchPunct<S: TokenSink>(_ i: Int, _ c: inout Context, _ sink: inout S) -> Int? {
        if pieces.piece(i, is: "@") {
            // "@coyote_demo", but not the middle of an e-mail address.
            let afterWord = i > 0 && !pieces[i].spaceBefore && (pieces[i - 1].kind == .word || pieces[i - 1].kind == .number)
            guard !afterWord, i + 1 < pieces.count, !pieces[i + 1].spaceBefore,
                pieces[i + 1].kind == .word || pieces[i + 1].kind == .number
            else { return nil }
            let end = linkRun(from: i + 1)
            report(.handle, i, end, value: "@" + self.joined(i + 1, end), &c, &sink)
            return end
        }
        if pieces.piece(i, is: "+") || pieces.piece(i, is: "("), i + 1 < pieces.count, pieces[i + 1].kind == .number {
            return matchPhone(i + 1, from: i, &c, &sink)
        }
        return nil
    }

    /// A phone number: 7 to 15 digits in groups separated by spaces, dots, dashes or brackets,
    /// optionally after '+'. The value is E.164 where the country is evident.
    mutating func matchPhone<S: TokenSink>(_ i: Int, from first: Int, _ c: inout Context, _ sink: inout S) -> Int? {
        var count = 0
        var last = i
        var j = i
        while j < pieces.count, !consumed[j] {
            let q = pieces[j]
            if q.kind == .number {
                count += Int(q.textEnd - q.textStart)
                if count > 15 { return nil }
                last = j
                j += 1
            } else if q.kind == .punct, j + 1 < pieces.count,
                pieces.piece(j, is: "-") || pieces.piece(j, is: ".") || pieces.piece(j, is: "(") || pieces.piece(j, is: ")"),
                pieces[j + 1].kind == .number || pieces.piece(j + 1, is: "(")
            {
                j += 1
            } else if q.kind == .punct, pieces.piece(j, is: ")") {
                j += 1
            } else {
                break
            }
        }
        guard count >= 7 else { return nil }
        let plus = pieces.piece(first, is: "+")
        report(.phone, first, last, value: Self.e164(digits(i, last), plus: plus), &c, &sink)
        return last
    }

    static func e164(_ d: [UInt8], plus: Bool) -> String {
        let s = String(decoding: d, as: UTF8.self)
        if plus { return "+" + s }
        let evident =
            (d.count == 12 && s.hasPrefix("52")) || (d.count == 13 && s.hasPrefix("521"))
            || (d.count == 11 && s.hasPrefix("1")) || (d.count == 13 && s.hasPrefix("86"))
        return evident ? "+" + s : s
    }

    /// A price: "$8,000", "8 mil dólares", "9,500 USD", "1.5万", "8万美金", "€ 3000".
    mutating func matchPrice<S: TokenSink>(_ i: Int, _ c: inout Context, _ sink: inout S) -> Int? {
        var j = i
        var currency: String?
        if pieces[i].kind == .symbol {
            switch pieces.scalar(i) {
            case 0x24: currency = "USD"
            case 0x20AC: currency = "EUR"
            case 0xA5: currency = "CNY"
            case 0xA3: currency = "GBP"
            default: return nil
            }
            j = i + 1
            guard j < pieces.count, pieces[j].kind == .number else { return nil }
        }
        // The amount: digit groups joined by ',' or '.', or by a space before a 3-digit group.
        var last = j
        var k = j + 1
        while k < pieces.count {
            if !pieces[k].spaceBefore, pieces[k].kind == .punct, pieces.piece(k, is: ",") || pieces.piece(k, is: "."),
                k + 1 < pieces.count, !pieces[k + 1].spaceBefore, pieces[k + 1].kind == .number
            {
                last = k + 1
                k += 2
            } else if pieces[k].kind == .number, pieces[k].textEnd - pieces[k].textStart == 3, !pieces[k].spelledOut {
                last = k
                k += 1
            } else {
                break
            }
        }
        let amountEnd = last
        var unit = false
        var multiplier = 1.0
        if k < pieces.count {
            if pieces[k].kind == .word {
                switch Trigger.table[hashes[k]] {
                case .thousand:
                    unit = true
                    multiplier = 1000
                    last = k
                    k += 1
                case .currency(let code):
                    currency = code
                    last = k
                    k += 1
                default:
                    if pieces.piece(k, is: "k") {
                        unit = true
                        multiplier = 1000
                        last = k
                        k += 1
                    }
                }
                if unit, k < pieces.count, case .currency(let code) = Trigger.table[hashes[k]] {
                    currency = code
                    last = k
                }
            } else if pieces[k].kind == .cjk, Trigger.isChinesePriceUnit(pieces.scalar(k)) {
                last = k
                currency = currency ?? "CNY"
                multiplier = pieces.scalar(k) == 0x4E07 ? 10_000 : pieces.scalar(k) == 0x5343 ? 1000 : 1
                // 万美金 / 万美元 / 万元: take the unit and the currency.
                while last + 1 < pieces.count, pieces[last + 1].kind == .cjk,
                    [0x7F8E, 0x91D1, 0x5143, 0x5757, 0x5200].contains(pieces.scalar(last + 1))
                {
                    last += 1
                    if pieces.scalar(last) == 0x7F8E { currency = "USD" }
                }
                unit = true
            }
        }
        guard currency != nil || unit else { return nil }
        if pieces[i].kind == .number, digits(i, last).count >= 7, currency == nil { return nil }
        let amount = Self.amount(joined(j, amountEnd), multiplier: multiplier)
        report(.price, i, last, value: amount + (currency.map { " " + $0 } ?? ""), &c, &sink)
        return last
    }

    /// "8,000" → "8000", "1.5" × 10000 → "15000", "9.500" (dot as thousands) → "9500".
    static func amount(_ text: String, multiplier: Double) -> String {
        var t = String(text.filter { $0 != "," })
        if let dot = t.lastIndex(of: "."), t.distance(from: dot, to: t.endIndex) == 4 {
            t.remove(at: dot)  // a dot before three digits groups thousands
        }
        guard let v = Double(t) else { return text }
        let total = v * multiplier
        return total == total.rounded() && abs(total) < 1e15 ? String(Int64(total)) : String(total)
    }

    mutating func matchCJK<S: TokenSink>(_ i: Int, _ c: inout Context, _ sink: inout S) -> Int? {
        let v = pieces.scalar(i)
        func next(_ k: Int) -> UInt32? {
            guard i + k < pieces.count, pieces[i + k].kind == .cjk, !pieces[i + k].spaceBefore else { return nil }
            return pieces.scalar(i + k)
        }
        switch v {
        case 0x5FAE, 0x8587, 0x5A01:  // 微 薇 威 + 信
            guard next(1) == 0x4FE1 else { return nil }
            report(.wechat, i, i + 1, value: nil, &c, &sink)
            return matchWeChatID(after: i + 1, &c, &sink) ?? i + 1
        case 0x52A0:  // 加 + V / VX / WX
            guard i + 1 < pieces.count, pieces[i + 1].kind == .word,
                pieces.piece(i + 1, is: "v") || Trigger.table[hashes[i + 1]] == .wechat
            else { return nil }
            report(.wechat, i, i + 1, value: nil, &c, &sink)
            return matchWeChatID(after: i + 1, &c, &sink) ?? i + 1
        case 0x79C1:  // 私信 私聊 私我
            guard let w = next(1), [0x4FE1, 0x804A, 0x6211].contains(w) else { return nil }
            report(.dm, i, i + 1, value: nil, &c, &sink)
            return i + 1
        case 0x4E3B:  // 主页
            guard next(1) == 0x9875 else { return nil }
            report(.dm, i, i + 1, value: nil, &c, &sink)
            return i + 1
        case 0x4E8C:  // 二维码
            guard next(1) == 0x7EF4, next(2) == 0x7801 else { return nil }
            report(.qr, i, i + 2, value: nil, &c, &sink)
            return i + 2
        case 0x626B:  // 扫码
            guard next(1) == 0x7801 else { return nil }
            report(.qr, i, i + 1, value: nil, &c, &sink)
            return i + 1
        case 0x7EB8:  // 纸飞机 (Telegram's nickname)
            guard next(1) == 0x98DE, next(2) == 0x673A else { return nil }
            report(.telegram, i, i + 2, value: nil, &c, &sink)
            return i + 2
        default:
            return nil
        }
    }
}
