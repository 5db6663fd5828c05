import Foundation

/// A small TOML subset, parsed from UTF-8 bytes: enough for `sources.toml`.
///
/// Supported: `# comments`, `key = value` with bare (`A-Za-z0-9_-`) or quoted keys, `[table]`,
/// `[[array.of.tables]]` (one name, no dots), basic strings `"…"` with the TOML escapes
/// (`\" \\ \b \t \n \f \r \uXXXX \UXXXXXXXX`), literal strings `'…'`, integers and floats (with `_`
/// separators and a sign), `true` / `false`, and arrays of those (multi-line, trailing comma,
/// comments inside). Not supported, and refused with an error naming the line: dotted keys,
/// inline tables, multi-line strings, dates.
///
/// ```swift
/// let doc = try TOMLDocument(bytes: Array("[[source]]\nname = \"a\"\n".utf8), file: "sources.toml")
/// doc.arrays["source"]?.first?["name"]?.value   // .string("a")
/// ```
///
/// - Complexity: O(n) in the number of bytes.
public struct TOMLDocument: Sendable {
    public indirect enum Value: Sendable, Hashable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([Value])

        /// `string`, `integer`, … for error messages.
        public var typeName: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .float: "a float"
            case .boolean: "a boolean"
            case .array: "an array"
            }
        }
    }

    /// A value with the line it was written on (1-based).
    public struct Entry: Sendable, Hashable {
        public var value: Value
        public var line: Int
    }

    /// A table: its keys in file order, and where its header was.
    public struct Table: Sendable {
        public var entries: [String: Entry] = [:]
        public var keys: [String] = []
        /// The line of the `[name]` / `[[name]]` header (0 for the root table).
        public var line: Int

        public subscript(key: String) -> Entry? { entries[key] }
    }

    public var file: String
    public var root: Table
    public var tables: [String: Table] = [:]
    public var arrays: [String: [Table]] = [:]

    public init(bytes: [UInt8], file: String) throws(TOMLError) {
        self.file = file
        root = Table(line: 0)
        var parser = Parser(bytes: bytes, file: file)
        try parser.parse(into: &self)
    }
}

/// A malformed TOML file: the file, the line (1-based) and, when known, the key.
public struct TOMLError: Error, Sendable, CustomStringConvertible, Hashable {
    public var file: String
    public var line: Int
    public var key: String?
    public var message: String

    public init(file: String, line: Int, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        "\(file):\(line): \(key.map { "key '\($0)': " } ?? "")\(message)"
    }
}

private struct Parser {
    let bytes: [UInt8]
    let file: String
    var i = 0
    var line = 1

    init(bytes: [UInt8], file: String) {
        // Skip a UTF-8 byte order mark.
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        self.file = file
    }

    func fail(_ message: String, key: String? = nil, line: Int? = nil) -> TOMLError {
        TOMLError(file: file, line: line ?? self.line, key: key, message: message)
    }

    var atEnd: Bool { i >= bytes.count }
    var current: UInt8 { bytes[i] }

    mutating func skipSpaces() {
        while !atEnd, current == 0x20 || current == 0x09 { i += 1 }
    }

    /// Skips spaces and a comment; then expects the end of the line.
    mutating func endOfLine(key: String?) throws(TOMLError) {
        skipSpaces()
        if !atEnd, current == 0x23 { skipComment() }
        if atEnd { return }
        if current == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
        guard current == 0x0A else {
            throw fail("unexpected '\(Self.show(current))' after the value; put one key = value per line (a comment starts with #).", key: key)
        }
        i += 1
        line += 1
    }

    mutating func skipComment() {
        while !atEnd, current != 0x0A { i += 1 }
    }

    /// Skips blank lines, spaces and comments (inside arrays and between statements).
    mutating func skipWhitespaceAndNewlines() {
        while !atEnd {
            switch current {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A:
                i += 1
                line += 1
            case 0x23: skipComment()
            default: return
            }
        }
    }

    static func show(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : String(format: "\\x%02X", b)
    }

    static func isBare(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
    }

    mutating func parse(into doc: inout TOMLDocument) throws(TOMLError) {
        // Where `key = value` lines go: the root, a [table], or the last [[array]] element.
        enum Target { case root, table(String), array(String) }
        var target = Target.root
        while true {
            skipWhitespaceAndNewlines()
            if atEnd { return }
            if current == 0x5B {  // [
                let headerLine = line
                i += 1
                let isArray = !atEnd && current == 0x5B
                if isArray { i += 1 }
                skipSpaces()
                let name = try key()
                skipSpaces()
                if !atEnd, current == 0x2E {
                    throw fail("dotted table names are not supported; use a single name like [source] or [[source]].", key: name)
                }
                guard !atEnd, current == 0x5D else { throw fail("expected ']' to close the table header.", key: name) }
                i += 1
                if isArray {
                    guard !atEnd, current == 0x5D else { throw fail("expected ']]' to close the array-of-tables header.", key: name) }
                    i += 1
                    if doc.tables[name] != nil {
                        throw fail("[[\(name)]] follows a [\(name)] table of the same name; use one form.", key: name)
                    }
                    doc.arrays[name, default: []].append(TOMLDocument.Table(line: headerLine))
                    target = .array(name)
                } else {
                    if doc.tables[name] != nil || doc.arrays[name] != nil || doc.root[name] != nil {
                        throw fail("the table [\(name)] is defined twice.", key: name)
                    }
                    doc.tables[name] = TOMLDocument.Table(line: headerLine)
                    target = .table(name)
                }
                try endOfLine(key: name)
                continue
            }
            let keyLine = line
            let name = try key()
            skipSpaces()
            if !atEnd, current == 0x2E {
                throw fail("dotted keys are not supported; write the key without dots.", key: name)
            }
            guard !atEnd, current == 0x3D else { throw fail("expected '=' after the key.", key: name) }
            i += 1
            skipSpaces()
            let v = try value(key: name)
            let entry = TOMLDocument.Entry(value: v, line: keyLine)
            func add(_ table: inout TOMLDocument.Table) throws(TOMLError) {
                if table.entries[name] != nil {
                    throw fail("the key is defined twice in the same table.", key: name, line: keyLine)
                }
                table.entries[name] = entry
                table.keys.append(name)
            }
            switch target {
            case .root:
                if doc.tables[name] != nil || doc.arrays[name] != nil { throw fail("the key is also a table name.", key: name) }
                try add(&doc.root)
            case .table(let t): try add(&doc.tables[t]!)
            case .array(let a):
                var array = doc.arrays[a]!
                try add(&array[array.count - 1])
                doc.arrays[a] = array
            }
            try endOfLine(key: name)
        }
    }

    mutating func key() throws(TOMLError) -> String {
        guard !atEnd else { throw fail("expected a key at the end of the file.") }
        if current == 0x22 { return try basicString(key: nil) }
        if current == 0x27 { return try literalString(key: nil) }
        let start = i
        while !atEnd, Self.isBare(current) { i += 1 }
        guard i > start else {
            throw fail("expected a key (letters, digits, '_' or '-'), found '\(Self.show(current))'.")
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func value(key: String) throws(TOMLError) -> TOMLDocument.Value {
        guard !atEnd, current != 0x0A, current != 0x0D, current != 0x23 else {
            throw fail("missing value after '='.", key: key)
        }
        switch current {
        case 0x22:  // "
            if i + 2 < bytes.count, bytes[i + 1] == 0x22, bytes[i + 2] == 0x22 {
                throw fail("multi-line strings (\"\"\") are not supported; use one line.", key: key)
            }
            return .string(try basicString(key: key))
        case 0x27:  // '
            return .string(try literalString(key: key))
        case 0x5B:  // [
            return try array(key: key)
        case 0x7B:  // {
            throw fail("inline tables ({…}) are not supported; use a [table] instead.", key: key)
        case 0x74, 0x66:  // t, f
            if bytes[i...].starts(with: Array("true".utf8)), !followedByBare(at: i + 4) {
                i += 4
                return .boolean(true)
            }
            if bytes[i...].starts(with: Array("false".utf8)), !followedByBare(at: i + 5) {
                i += 5
                return .boolean(false)
            }
            throw fail("expected a value; strings need quotes (\"…\").", key: key)
        default:
            return try number(key: key)
        }
    }

    func followedByBare(at j: Int) -> Bool { j < bytes.count && Self.isBare(bytes[j]) }

    mutating func number(key: String) throws(TOMLError) -> TOMLDocument.Value {
        let start = i
        while !atEnd, Self.isBare(current) || current == 0x2B || current == 0x2E { i += 1 }
        let raw = String(decoding: bytes[start..<i], as: UTF8.self)
        guard !raw.isEmpty else { throw fail("expected a value, found '\(Self.show(current))'; strings need quotes (\"…\").", key: key) }
        // Underscores only between digits.
        let chars = Array(raw.utf8)
        for (k, c) in chars.enumerated() where c == 0x5F {
            let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
            if k == 0 || k == chars.count - 1 || !isDigit(chars[k - 1]) || !isDigit(chars[k + 1]) {
                throw fail("'\(raw)' is not a number: '_' must sit between digits.", key: key)
            }
        }
        let text = raw.replacingOccurrences(of: "_", with: "")
        let body = text.hasPrefix("+") || text.hasPrefix("-") ? String(text.dropFirst()) : text
        if !body.isEmpty, body.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(text) {
            if body.count > 1, body.hasPrefix("0") { throw fail("'\(raw)' has a leading zero; TOML integers do not.", key: key) }
            return .integer(n)
        }
        if let first = body.utf8.first, first >= 0x30, first <= 0x39, let d = Double(text), d.isFinite {
            return .float(d)
        }
        throw fail("'\(raw)' is not a value TOML knows: strings need quotes (\"…\"), booleans are true or false.", key: key)
    }

    mutating func array(key: String) throws(TOMLError) -> TOMLDocument.Value {
        let startLine = line
        i += 1  // [
        var items: [TOMLDocument.Value] = []
        while true {
            skipWhitespaceAndNewlines()
            guard !atEnd else { throw fail("the array opened on line \(startLine) is not closed with ']'.", key: key, line: startLine) }
            if current == 0x5D {
                i += 1
                return .array(items)
            }
            items.append(try value(key: key))
            skipWhitespaceAndNewlines()
            guard !atEnd else { throw fail("the array opened on line \(startLine) is not closed with ']'.", key: key, line: startLine) }
            if current == 0x2C {
                i += 1
            } else if current != 0x5D {
                throw fail("expected ',' or ']' in the array, found '\(Self.show(current))'.", key: key)
            }
        }
    }

    mutating func literalString(key: String?) throws(TOMLError) -> String {
        i += 1
        let start = i
        while !atEnd, current != 0x27 {
            if current == 0x0A { throw fail("the string is not closed with ' on this line.", key: key) }
            i += 1
        }
        guard !atEnd else { throw fail("the string is not closed with ' before the end of the file.", key: key) }
        let s = String(decoding: bytes[start..<i], as: UTF8.self)
        i += 1
        return try checkedUTF8(bytes[start..<(i - 1)], s, key: key)
    }

    mutating func basicString(key: String?) throws(TOMLError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard !atEnd else { throw fail("the string is not closed with \" before the end of the file.", key: key) }
            let b = current
            if b == 0x22 {
                i += 1
                break
            }
            if b == 0x0A { throw fail("the string is not closed with \" on this line.", key: key) }
            if b == 0x5C {
                i += 1
                guard !atEnd else { throw fail("the string ends in a lone backslash.", key: key) }
                let e = current
                i += 1
                switch e {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x62: out.append(0x08)
                case 0x74: out.append(0x09)
                case 0x6E: out.append(0x0A)
                case 0x66: out.append(0x0C)
                case 0x72: out.append(0x0D)
                case 0x75, 0x55:
                    let n = e == 0x75 ? 4 : 8
                    guard i + n <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + n)], as: UTF8.self), radix: 16),
                        let scalar = Unicode.Scalar(code)
                    else { throw fail("bad \\\(e == 0x75 ? "u" : "U") escape: expected \(n) hex digits of a Unicode scalar.", key: key) }
                    i += n
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail("unknown escape '\\\(Self.show(e))' in a string; write \\\\ for a backslash or use a 'literal string'.", key: key)
                }
                continue
            }
            if b < 0x20 && b != 0x09 { throw fail("control character \(Self.show(b)) in a string; escape it.", key: key) }
            out.append(b)
            i += 1
        }
        return try checkedUTF8(out[...], String(decoding: out, as: UTF8.self), key: key)
    }

    func checkedUTF8(_ raw: ArraySlice<UInt8>, _ s: String, key: String?) throws(TOMLError) -> String {
        guard s.utf8.elementsEqual(raw) else {
            throw fail("the string is not valid UTF-8.", key: key)
        }
        return s
    }
}
