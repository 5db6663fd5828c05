/// Words that start or take part in a contact or price pattern, looked up by token hash so a
/// word costs one dictionary probe, not a string comparison per pattern.
enum Trigger: Equatable, Sendable {
    case http, www, wa, t, v
    case whatsapp, telegram, wechat, qr, dm
    /// "link" / "enlace" in "link in bio"; "in" / "en" / "na"; "bio".
    case link, linkPreposition, bio
    /// A currency after a number ("usd", "pesos", "dólares"): the normalised currency code.
    case currency(String)
    /// "mil" ("8 mil dólares"): multiplies by a thousand.
    case thousand
    /// A digit written as a word ("five", "cinco").
    case numberWord(UInt8)

    static let table: TriggerTable = {
        var t = TriggerTable()
        func add(_ words: [String], _ trigger: Trigger) {
            for w in words { t.insert(TokenHash.hash(w), trigger) }
        }
        add(["http", "https"], .http)
        add(["www"], .www)
        add(["wa"], .wa)
        add(["t"], .t)
        add(["v"], .v)
        // WhatsApp and its spellings; "w h a t s a p p" is joined into one word before lookup.
        add(["whatsapp", "whatsap", "whats", "whatss", "wsp", "wasap", "wassap", "watsap", "watsapp", "wpp", "wapp", "guasap", "wasa", "whasapp", "whatapp", "wa.me"], .whatsapp)
        add(["telegram", "telegrama", "tg", "telegran", "tlgrm"], .telegram)
        add(["wechat", "weixin", "wx", "vx", "wchat"], .wechat)
        add(["qr"], .qr)
        add(["dm", "dms", "inbox", "md", "privado", "priv", "pm"], .dm)
        add(["link", "enlace", "links"], .link)
        add(["in", "en", "na"], .linkPreposition)
        add(["bio"], .bio)
        add(["usd", "us", "dolares", "dollars", "dolar", "dollar", "dlls", "dls", "dlrs", "bucks"], .currency("USD"))
        add(["mxn", "pesos", "peso"], .currency("MXN"))
        add(["euros", "euro", "eur"], .currency("EUR"))
        add(["rmb", "yuan", "cny"], .currency("CNY"))
        add(["quetzales", "gtq"], .currency("GTQ"))
        add(["mil"], .thousand)
        let en = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        let es = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]
        for d in 0..<10 {
            add([en[d], es[d]], .numberWord(UInt8(d)))
        }
        add(["una", "un"], .numberWord(1))
        return t
    }()

    /// What a trigger word can do, for the fast path's check of whether a text may hold a pattern.
    enum Role: UInt8, Sendable {
        case none
        /// Always reported ("whatsapp", "dm"), or the word a pattern cannot do without ("bio"
        /// in "link in bio").
        case starter
        /// Starts a link when ':' or '.' follows with no space ("http", "www").
        case beforeColonOrDot
        /// Starts a link when '.' follows with no space ("wa.me", "t.me").
        case beforeDot
        /// Starts "V信" when 信 follows with no space.
        case beforeXin
        /// Ends a price after a number ("usd", "mil").
        case unit
        /// A digit word, which three in a row turn into a number.
        case numberWord
        /// Only matters next to another trigger ("link", "in").
        case follower
    }

    var role: Role {
        switch self {
        case .whatsapp, .telegram, .wechat, .qr, .dm, .bio: .starter
        case .http, .www: .beforeColonOrDot
        case .wa, .t: .beforeDot
        case .v: .beforeXin
        case .currency, .thousand: .unit
        case .numberWord: .numberWord
        case .link, .linkPreposition: .follower
        }
    }

    /// Chinese numerals, including 幺 (one, as said in phone numbers) and 两 (two).
    static func chineseDigit(_ v: UInt32) -> UInt8? {
        switch v {
        case 0x96F6, 0x3007: return 0  // 零 〇
        case 0x4E00, 0x5E7A: return 1  // 一 幺
        case 0x4E8C, 0x4E24: return 2  // 二 两
        case 0x4E09: return 3  // 三
        case 0x56DB: return 4  // 四
        case 0x4E94: return 5  // 五
        case 0x516D: return 6  // 六
        case 0x4E03: return 7  // 七
        case 0x516B: return 8  // 八
        case 0x4E5D: return 9  // 九
        default: return nil
        }
    }

    /// CJK characters that follow a number in a price: 万 千 元 块 美(金/元).
    static func isChinesePriceUnit(_ v: UInt32) -> Bool {
        v == 0x4E07 || v == 0x5343 || v == 0x5143 || v == 0x5757 || v == 0x7F8E
    }
}

/// A fixed open-addressing map from token hash to trigger: every word is looked up, so it avoids
/// Dictionary's per-lookup SipHash.
struct TriggerTable: Sendable {
    private var keys = [UInt64](repeating: 0, count: 512)
    private var values = [Trigger?](repeating: nil, count: 512)
    private var roles = [Trigger.Role](repeating: .none, count: 512)

    mutating func insert(_ h: UInt64, _ t: Trigger) {
        var i = Self.home(h)
        while keys[i] != 0 && keys[i] != h { i = (i + 1) & 511 }
        keys[i] = h
        values[i] = t
        roles[i] = t.role
    }

    /// What a word can do in a pattern, without copying the trigger (a currency holds a String).
    @inline(__always)
    func role(_ h: UInt64) -> Trigger.Role {
        keys.withUnsafeBufferPointer { keys in
            var i = Self.home(h)
            while true {
                let k = keys[i]
                if k == h { return roles[i] }
                if k == 0 { return .none }
                i = (i + 1) & 511
            }
        }
    }

    @inline(__always) static func home(_ h: UInt64) -> Int { Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 55) }

    @inline(__always)
    subscript(_ h: UInt64) -> Trigger? {
        var i = Self.home(h)
        while true {
            let k = keys[i]
            if k == h { return values[i] }
            if k == 0 { return nil }
            i = (i + 1) & 511
        }
    }
}
