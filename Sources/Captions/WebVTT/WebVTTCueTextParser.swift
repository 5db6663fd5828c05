/// The WebVTT cue text parsing rules (<https://w3c.github.io/webvtt/#cue-text-parsing-rules>) on UTF-8 bytes:
/// a tokenizer (data, tag, class, annotation, end-tag and timestamp states, HTML character references) and the tree
/// builder, which either builds ``WebVTTNode`` trees or streams plain text without building any tree.
enum WebVTTCueTextParser {
    /// Nesting deeper than this is flattened (tags ignored), so hostile input cannot build a stack-deep tree.
    static let maximumDepth = 256

    /// The cue text as a node tree.
    static func nodes(_ text: [UInt8]) -> [WebVTTNode] {
        text.withUnsafeBufferPointer { buffer in
            var tokenizer = Tokenizer(buffer)
            var builder = TreeBuilder()
            while let token = tokenizer.next() { builder.add(token) }
            return builder.finish()
        }
    }

    /// The cue text as plain text: text outside `<rt>`, with character references decoded.
    ///
    /// Follows the tokenizer and tree-building rules without building tokens or a tree: a start tag always ends at
    /// the first `>` (character references in annotations cannot contain one), so tags are skipped in place.
    /// - Complexity: O(n) in the length of the text; allocates only the output.
    static func plainText(_ text: String) -> String {
        var text = text
        return text.withUTF8 { b in
            var i = 0
            while i < b.count, b[i] != UInt8(ascii: "<"), b[i] != UInt8(ascii: "&") { i += 1 }
            if i == b.count { return nil }   // nothing to reduce
            return plainText(b)
        } ?? text
    }

    static func plainText(_ text: [UInt8]) -> String {
        text.withUnsafeBufferPointer { plainText($0) }
    }

    static func plainText(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var stack: [WebVTTElement.Kind] = []
        var rubyTextDepth = 0
        var tokenizer = Tokenizer(b)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "&") {
                tokenizer.pos = i + 1
                if let replacement = tokenizer.consumeCharacterReference(additionalAllowed: nil) {
                    if rubyTextDepth == 0 { out.append(contentsOf: replacement) }
                    i = tokenizer.pos
                } else {
                    if rubyTextDepth == 0 { out.append(c) }
                    i += 1
                }
                continue
            }
            if c != UInt8(ascii: "<") {
                let start = i
                i += 1
                while i < n, b[i] != UInt8(ascii: "<"), b[i] != UInt8(ascii: "&") { i += 1 }
                if rubyTextDepth == 0 { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i])) }
                continue
            }
            // A tag: find its end (the first '>' or the end of the text).
            i += 1
            var close = i
            while close < n, b[close] != UInt8(ascii: ">") { close += 1 }
            defer { i = close < n ? close + 1 : n }
            guard i < n else { continue }
            let first = b[i]
            if first == UInt8(ascii: "/") {
                let name = UnsafeBufferPointer(rebasing: b[(i + 1)..<close])
                guard let current = stack.last else { continue }
                if name.elementsEqual(current.rawValue.utf8) {
                    stack.removeLast()
                    if current == .rubyText { rubyTextDepth -= 1 }
                } else if current == .rubyText, name.elementsEqual("ruby".utf8) {
                    stack.removeLast()
                    rubyTextDepth -= 1
                    if !stack.isEmpty { stack.removeLast() }
                }
                continue
            }
            if ASCII.isDigit(first) || first == UInt8(ascii: ".") || first == UInt8(ascii: ">") || ASCII.isWhitespace(first) {
                continue   // timestamp, or a start tag with an empty name: ignored
            }
            var nameEnd = i
            while nameEnd < close, b[nameEnd] != UInt8(ascii: "."), b[nameEnd] != ASCII.space, b[nameEnd] != ASCII.tab,
                  b[nameEnd] != ASCII.ff, b[nameEnd] != ASCII.lf { nameEnd += 1 }
            guard stack.count < maximumDepth,
                  let kind = TreeBuilder.kind(UnsafeBufferPointer(rebasing: b[i..<nameEnd]), current: stack.last) else { continue }
            stack.append(kind)
            if kind == .rubyText { rubyTextDepth += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum Token {
        case string([UInt8])
        case startTag(name: [UInt8], classes: [[UInt8]], annotation: [UInt8])
        case endTag([UInt8])
        case timestamp([UInt8])
    }

    struct Tokenizer {
        let b: UnsafeBufferPointer<UInt8>
        var pos = 0

        init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

        mutating func next() -> Token? {
            var result: [UInt8] = []
            // Data state.
            while pos < b.count {
                let c = b[pos]
                if c == UInt8(ascii: "&") {
                    pos += 1
                    if let replacement = consumeCharacterReference(additionalAllowed: nil) {
                        result.append(contentsOf: replacement)
                    } else {
                        result.append(c)
                    }
                } else if c == UInt8(ascii: "<") {
                    if !result.isEmpty { return .string(result) }
                    pos += 1
                    return tag()
                } else {
                    // Copy a run of ordinary bytes at once.
                    let start = pos
                    pos += 1
                    while pos < b.count, b[pos] != UInt8(ascii: "&"), b[pos] != UInt8(ascii: "<") { pos += 1 }
                    result.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<pos]))
                }
            }
            return result.isEmpty ? nil : .string(result)
        }

        private mutating func tag() -> Token {
            var result: [UInt8] = []
            var buffer: [UInt8] = []
            var classes: [[UInt8]] = []
            enum State { case tag, startTag, startTagClass, startTagAnnotation, endTag, timestampTag }
            var state = State.tag
            while true {
                let c: UInt8? = pos < b.count ? b[pos] : nil
                switch state {
                case .tag:
                    switch c {
                    case ASCII.tab?, ASCII.lf?, ASCII.ff?, ASCII.space?: pos += 1; state = .startTagAnnotation
                    case UInt8(ascii: ".")?: pos += 1; state = .startTagClass
                    case UInt8(ascii: "/")?: pos += 1; state = .endTag
                    case let d? where ASCII.isDigit(d): buffer = [d]; pos += 1; state = .timestampTag
                    case UInt8(ascii: ">")?: pos += 1; return .startTag(name: [], classes: [], annotation: [])
                    case nil: return .startTag(name: [], classes: [], annotation: [])
                    case let other?: result = [other]; pos += 1; state = .startTag
                    }
                case .startTag:
                    switch c {
                    case ASCII.tab?, ASCII.ff?, ASCII.space?: pos += 1; state = .startTagAnnotation
                    case ASCII.lf?: buffer = [ASCII.lf]; pos += 1; state = .startTagAnnotation
                    case UInt8(ascii: ".")?: pos += 1; state = .startTagClass
                    case UInt8(ascii: ">")?: pos += 1; return .startTag(name: result, classes: [], annotation: [])
                    case nil: return .startTag(name: result, classes: [], annotation: [])
                    case let other?: result.append(other); pos += 1
                    }
                case .startTagClass:
                    switch c {
                    case ASCII.tab?, ASCII.ff?, ASCII.space?:
                        classes.append(buffer); buffer = []; pos += 1; state = .startTagAnnotation
                    case ASCII.lf?:
                        classes.append(buffer); buffer = [ASCII.lf]; pos += 1; state = .startTagAnnotation
                    case UInt8(ascii: ".")?:
                        classes.append(buffer); buffer = []; pos += 1
                    case UInt8(ascii: ">")?:
                        pos += 1; classes.append(buffer)
                        return .startTag(name: result, classes: classes, annotation: [])
                    case nil:
                        classes.append(buffer)
                        return .startTag(name: result, classes: classes, annotation: [])
                    case let other?: buffer.append(other); pos += 1
                    }
                case .startTagAnnotation:
                    switch c {
                    case UInt8(ascii: "&")?:
                        pos += 1
                        if let replacement = consumeCharacterReference(additionalAllowed: UInt8(ascii: ">")) {
                            buffer.append(contentsOf: replacement)
                        } else {
                            buffer.append(UInt8(ascii: "&"))
                        }
                    case UInt8(ascii: ">")?:
                        pos += 1
                        return .startTag(name: result, classes: classes, annotation: Self.collapseWhitespace(buffer))
                    case nil:
                        return .startTag(name: result, classes: classes, annotation: Self.collapseWhitespace(buffer))
                    case let other?: buffer.append(other); pos += 1
                    }
                case .endTag:
                    switch c {
                    case UInt8(ascii: ">")?: pos += 1; return .endTag(result)
                    case nil: return .endTag(result)
                    case let other?: result.append(other); pos += 1
                    }
                case .timestampTag:
                    switch c {
                    case UInt8(ascii: ">")?: pos += 1; return .timestamp(buffer)
                    case nil: return .timestamp(buffer)
                    case let other?: buffer.append(other); pos += 1
                    }
                }
            }
        }

        /// Strips leading and trailing ASCII whitespace and collapses inner runs to one space.
        static func collapseWhitespace(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var pendingSpace = false
            for c in bytes {
                if ASCII.isWhitespace(c) {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(ASCII.space); pendingSpace = false }
                    out.append(c)
                }
            }
            return out
        }

        /// HTML "consume a character reference" with `pos` just after the `&`. Returns the replacement bytes and
        /// advances, or returns `nil` with `pos` unchanged (the `&` is then literal text).
        mutating func consumeCharacterReference(additionalAllowed: UInt8?) -> [UInt8]? {
            guard pos < b.count else { return nil }
            let c = b[pos]
            if c == ASCII.tab || c == ASCII.lf || c == ASCII.ff || c == ASCII.space || c == UInt8(ascii: "<")
                || c == UInt8(ascii: "&") || c == additionalAllowed {
                return nil
            }
            if c == UInt8(ascii: "#") {
                var i = pos + 1
                let hex = i < b.count && (b[i] == UInt8(ascii: "x") || b[i] == UInt8(ascii: "X"))
                if hex { i += 1 }
                let digitsStart = i
                var value: UInt32 = 0
                var overflow = false
                while i < b.count, hex ? ASCII.isHexDigit(b[i]) : ASCII.isDigit(b[i]) {
                    let digit = hex ? ASCII.hexValue(b[i]) : UInt32(b[i] - ASCII.zero)
                    if value > 0x10FFFF { overflow = true } else { value = value * (hex ? 16 : 10) + digit }
                    i += 1
                }
                guard i > digitsStart else { return nil }
                if i < b.count, b[i] == UInt8(ascii: ";") { i += 1 }
                pos = i
                return Self.utf8(forNumericReference: overflow ? 0x110000 : value)
            }
            // Named reference: the longest name in the table that matches here.
            var end = pos
            let limit = min(b.count, pos + HTMLEntities.longestName)
            while end < limit, ASCII.isAlphanumeric(b[end]) { end += 1 }
            if end < b.count, end < pos + HTMLEntities.longestName, b[end] == UInt8(ascii: ";") { end += 1 }
            guard end > pos else { return nil }
            var candidate = Array(UnsafeBufferPointer(rebasing: b[pos..<end]))
            while !candidate.isEmpty {
                if let replacement = HTMLEntities.table[candidate] {
                    pos += candidate.count
                    return replacement
                }
                candidate.removeLast()
            }
            return nil
        }

        private static let windows1252: [UInt32: UInt32] = [
            0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
            0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
            0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
            0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
        ]

        static func utf8(forNumericReference value: UInt32) -> [UInt8] {
            var scalarValue = value
            if value == 0 || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) {
                scalarValue = 0xFFFD
            } else if let mapped = windows1252[value] {
                scalarValue = mapped
            }
            let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
            return Array(String(Character(scalar)).utf8)
        }
    }

    /// Builds the node tree from tokens.
    struct TreeBuilder {
        private struct Open {
            var element: WebVTTElement
        }
        private var root: [WebVTTNode] = []
        private var stack: [Open] = []

        static func kind(_ name: [UInt8], current: WebVTTElement.Kind?) -> WebVTTElement.Kind? {
            name.withUnsafeBufferPointer { kind($0, current: current) }
        }

        /// The element a start tag name opens (`rt` only inside `ruby`), or `nil` for tags that are ignored.
        @inline(__always)
        static func kind(_ name: UnsafeBufferPointer<UInt8>, current: WebVTTElement.Kind?) -> WebVTTElement.Kind? {
            switch name.count {
            case 1:
                switch name[0] {
                case UInt8(ascii: "c"): return .class
                case UInt8(ascii: "i"): return .italic
                case UInt8(ascii: "b"): return .bold
                case UInt8(ascii: "u"): return .underline
                case UInt8(ascii: "v"): return .voice
                default: return nil
                }
            case 2:
                return name[0] == UInt8(ascii: "r") && name[1] == UInt8(ascii: "t") && current == .ruby ? .rubyText : nil
            case 4:
                if name.elementsEqual("ruby".utf8) { return .ruby }
                if name.elementsEqual("lang".utf8) { return .language }
                return nil
            default:
                return nil
            }
        }

        private mutating func append(_ node: WebVTTNode) {
            if stack.isEmpty { root.append(node) } else { stack[stack.count - 1].element.children.append(node) }
        }

        private mutating func close() {
            let open = stack.removeLast()
            append(.element(open.element))
        }

        mutating func add(_ token: Token) {
            switch token {
            case .string(let bytes):
                append(.text(String(decoding: bytes, as: UTF8.self)))
            case .startTag(let name, let classes, let annotation):
                guard stack.count < WebVTTCueTextParser.maximumDepth,
                      let kind = Self.kind(name, current: stack.last?.element.kind) else { return }
                let classNames = classes.filter { !$0.isEmpty }.map { String(decoding: $0, as: UTF8.self) }
                let note: String? = (kind == .voice || kind == .language) ? String(decoding: annotation, as: UTF8.self) : nil
                stack.append(Open(element: WebVTTElement(kind: kind, classes: classNames, annotation: note, children: [])))
            case .endTag(let name):
                guard let current = stack.last?.element.kind else { return }
                if name.elementsEqual(current.rawValue.utf8) {
                    close()
                } else if current == .rubyText, name.elementsEqual("ruby".utf8) {
                    close()
                    if !stack.isEmpty { close() }
                }
            case .timestamp(let bytes):
                let value: Double? = bytes.withUnsafeBufferPointer { buffer in
                    var i = 0
                    guard let t = WebVTTTimestamp.collect(buffer, &i, end: buffer.count), i == buffer.count else { return nil }
                    return t
                }
                if let value { append(.timestamp(value)) }
            }
        }

        mutating func finish() -> [WebVTTNode] {
            while !stack.isEmpty { close() }
            return root
        }
    }
}
