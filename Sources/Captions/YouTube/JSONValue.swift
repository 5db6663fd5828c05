/// A small JSON reader on UTF-8 bytes for json3 captions: values, depth-limited, with the byte offset of errors.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var number: Double? { if case .number(let d) = self { return d }; return nil }

    struct ParseError: Error {
        var offset: Int
        var reason: String
    }

    /// Nesting deeper than this is refused.
    static let maximumDepth = 512

    static func parse(_ b: UnsafeBufferPointer<UInt8>) throws(ParseError) -> JSONValue {
        var reader = Reader(b: b)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.i == b.count else { throw ParseError(offset: reader.i, reason: "unexpected text after the JSON value") }
        return value
    }

    private struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func skipWhitespace() {
            while i < b.count, b[i] == ASCII.space || b[i] == ASCII.lf || b[i] == ASCII.cr || b[i] == ASCII.tab { i += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < JSONValue.maximumDepth else { throw ParseError(offset: i, reason: "nesting deeper than \(JSONValue.maximumDepth)") }
            guard i < b.count else { throw ParseError(offset: i, reason: "unexpected end of input") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(String, JSONValue)] = []
                skipWhitespace()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw ParseError(offset: i, reason: "expected a string key") }
                    let key = try string()
                    skipWhitespace()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw ParseError(offset: i, reason: "expected ':'") }
                    i += 1
                    skipWhitespace()
                    members.append((key, try value(depth: depth + 1)))
                    skipWhitespace()
                    guard i < b.count else { throw ParseError(offset: i, reason: "unterminated object") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    throw ParseError(offset: i, reason: "expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipWhitespace()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipWhitespace()
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard i < b.count else { throw ParseError(offset: i, reason: "unterminated array") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw ParseError(offset: i, reason: "expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true"); return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false"); return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null"); return .null
            default:
                return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(ParseError) {
            let n = word.utf8CodeUnitCount
            guard i + n <= b.count, b.firstIndex(of: word, in: i..<(i + n)) == i else {
                throw ParseError(offset: i, reason: "unexpected character")
            }
            i += n
        }

        mutating func number() throws(ParseError) -> Double {
            let start = i
            if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            while i < b.count, ASCII.isDigit(b[i]) || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e")
                    || b[i] == UInt8(ascii: "E") || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i > start, let d = Double(b.string(start..<i)) else { throw ParseError(offset: start, reason: "invalid number") }
            return d
        }

        /// A string starting at the opening quote; escapes decoded, surrogate pairs joined.
        mutating func string() throws(ParseError) -> String {
            i += 1
            let start = i
            // Fast path: no escapes.
            while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
            guard i < b.count else { throw ParseError(offset: start, reason: "unterminated string") }
            if b[i] == UInt8(ascii: "\"") {
                defer { i += 1 }
                return b.string(start..<i)
            }
            var out = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
                i += 1
                guard i < b.count else { break }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(ASCII.lf)
                case UInt8(ascii: "t"): out.append(ASCII.tab)
                case UInt8(ascii: "r"): out.append(ASCII.cr)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(ASCII.ff)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar), i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        scalar = (0xDC00...0xDFFF).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                    }
                    let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: String(Character(s)).utf8)
                default: out.append(e)   // \" \\ \/
                }
            }
            throw ParseError(offset: start, reason: "unterminated string")
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard i + 4 <= b.count else { throw ParseError(offset: i, reason: "short \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard ASCII.isHexDigit(b[i]) else { throw ParseError(offset: i, reason: "invalid \\u escape") }
                v = v << 4 | ASCII.hexValue(b[i])
                i += 1
            }
            return v
        }
    }
}
