/// One key press, decoded from the bytes a terminal sends in raw mode.
public enum Key: Sendable, Hashable {
    case character(Character)
    case enter, escape, backspace, tab
    case up, down, left, right, pageUp, pageDown, home, end
    /// Ctrl-C, Ctrl-D, Ctrl-L (the session quits on the first two and redraws on the last).
    case control(Character)
    case unknown

    /// Decodes a read's bytes into keys: escape sequences (`ESC [ A`, `ESC [ 5 ~`, `ESC O B`, …),
    /// control bytes, and UTF-8 text (a paste gives one key per character).
    public static func decode(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1B:
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") || bytes[i + 1] == UInt8(ascii: "O") {
                    var j = i + 2
                    var parameter = ""
                    while j < bytes.count, (0x30...0x3F).contains(bytes[j]) {
                        parameter.append(Character(Unicode.Scalar(bytes[j])))
                        j += 1
                    }
                    guard j < bytes.count else {
                        keys.append(.unknown)
                        i = j
                        continue
                    }
                    let final = bytes[j]
                    switch (final, parameter) {
                    case (UInt8(ascii: "A"), _): keys.append(.up)
                    case (UInt8(ascii: "B"), _): keys.append(.down)
                    case (UInt8(ascii: "C"), _): keys.append(.right)
                    case (UInt8(ascii: "D"), _): keys.append(.left)
                    case (UInt8(ascii: "H"), _): keys.append(.home)
                    case (UInt8(ascii: "F"), _): keys.append(.end)
                    case (UInt8(ascii: "~"), "5"): keys.append(.pageUp)
                    case (UInt8(ascii: "~"), "6"): keys.append(.pageDown)
                    case (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): keys.append(.home)
                    case (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): keys.append(.end)
                    default: keys.append(.unknown)
                    }
                    i = j + 1
                } else {
                    keys.append(.escape)
                    i += 1
                }
            case 0x0D, 0x0A:
                keys.append(.enter)
                // A CR LF pair is one Enter.
                i += (b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
            case 0x7F, 0x08:
                keys.append(.backspace)
                i += 1
            case 0x09:
                keys.append(.tab)
                i += 1
            case 0x00..<0x20:
                keys.append(.control(Character(Unicode.Scalar(b + 0x60))))
                i += 1
            default:
                let length =
                    b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                let end = min(i + length, bytes.count)
                let text = String(decoding: bytes[i..<end], as: UTF8.self)
                if let c = text.first, text.unicodeScalars.first != "\u{FFFD}" {
                    keys.append(.character(c))
                } else {
                    keys.append(.unknown)
                }
                i = end
            }
        }
        return keys
    }
}
