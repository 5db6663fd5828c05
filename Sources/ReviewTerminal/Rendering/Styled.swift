/// How a piece of text is drawn. Each style maps to one ANSI SGR sequence, or to plain-text
/// markers when colour is off.
public enum Style: UInt8, Sendable, Hashable, CaseIterable {
    case plain
    case dim
    case bold
    case heading
    /// A contact identifier (phone, WhatsApp, Telegram, WeChat, @handle) or a QR / DM cue.
    case contact
    /// A price.
    case price
    /// A phrase that pushed the `guidance` flag, the `contact` flag, or another flag.
    case guidancePhrase
    case contactPhrase
    case otherPhrase
    case flag
    case unsure
    case clear
    case key
    case error

    /// The SGR parameters (after `ESC [`, before `m`).
    var sgr: String {
        switch self {
        case .plain: "0"
        case .dim: "2"
        case .bold: "1"
        case .heading: "1;36"
        case .contact: "1;30;43"
        case .price: "1;30;42"
        case .guidancePhrase: "1;4;35"
        case .contactPhrase: "1;4;34"
        case .otherPhrase: "1;4;32"
        case .flag: "1;31"
        case .unsure: "1;33"
        case .clear: "32"
        case .key: "1;7"
        case .error: "1;37;41"
        }
    }

    /// Evidence styles get visible markers when colour is off; the rest draw plain.
    var plainMarkers: (open: String, close: String)? {
        switch self {
        case .contact, .price: ("[[", "]]")
        case .guidancePhrase, .contactPhrase, .otherPhrase: ("<<", ">>")
        case .key: ("[", "]")
        default: nil
        }
    }

    /// Evidence style for an evidence kind and the flag it pushed.
    public static func evidence(kind: String, flag: String?) -> Style {
        switch kind {
        case "phone", "whatsapp", "telegram", "wechat", "handle", "qr", "dm", "url": .contact
        case "price": .price
        default:
            switch flag {
            case "guidance": .guidancePhrase
            case "contact": .contactPhrase
            default: .otherPhrase
            }
        }
    }

    /// Which style wins where evidence spans overlap.
    var priority: Int {
        switch self {
        case .contact: 3
        case .price: 2
        case .guidancePhrase, .contactPhrase, .otherPhrase: 1
        default: 0
        }
    }
}

/// Text as Unicode scalars with one style each: the unit evidence ranges count in.
public struct StyledText: Sendable, Hashable {
    public var scalars: [Unicode.Scalar] = []
    public var styles: [Style] = []

    public init() {}

    public init(_ text: String, _ style: Style = .plain) {
        append(text, style)
    }

    public mutating func append(_ text: String, _ style: Style = .plain) {
        for s in text.unicodeScalars {
            scalars.append(s)
            styles.append(style)
        }
    }

    public mutating func append(_ other: StyledText) {
        scalars += other.scalars
        styles += other.styles
    }

    public var count: Int { scalars.count }

    public var plainString: String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }

    /// Marks scalars `range` with `style` where it outranks what is there.
    public mutating func highlight(_ range: Range<Int>, _ style: Style) {
        let r = range.clamped(to: 0..<scalars.count)
        for i in r where style.priority >= styles[i].priority { styles[i] = style }
    }

    /// Untrusted text made safe to draw: control characters (ESC, C1, DEL — a post could
    /// otherwise move the cursor or retitle the terminal) and bidirectional overrides become
    /// U+FFFD; tabs become spaces. Newlines stay, and the scalar count is unchanged, so evidence
    /// ranges still line up.
    public static func sanitized(_ text: String, _ style: Style = .plain) -> StyledText {
        var out = StyledText()
        out.scalars.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            let v = s.value
            let replaced: Unicode.Scalar
            if v == 0x0A {
                replaced = s
            } else if v == 0x09 {
                replaced = " "
            } else if v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                replaced = "\u{FFFD}"
            } else {
                replaced = s
            }
            out.scalars.append(replaced)
            out.styles.append(style)
        }
        return out
    }
}

/// Terminal column widths, without the C locale machinery: East Asian wide and emoji scalars
/// take two columns, combining marks and zero-width characters none.
enum DisplayWidth {
    static func of(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v == 0 { return 0 }
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v)
            || (0x20D0...0x20FF).contains(v) || (0xE0100...0xE01EF).contains(v) || v == 0x2060
        {
            return 0
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F680...0x1F6FF).contains(v) || (0x1F900...0x1F9FF).contains(v) || (0x1FA70...0x1FAFF).contains(v)
            || (0x20000...0x3FFFD).contains(v) || (0x2600...0x26FF).contains(v) && s.properties.isEmojiPresentation
        {
            return 2
        }
        return 1
    }

    static func of(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + of($1) } }
}
