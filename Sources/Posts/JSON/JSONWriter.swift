/// Appends JSON to a byte buffer. Output is compact, keys in the order written, UTF-8 unescaped
/// (only quotes, backslashes and control characters are escaped), one value per call.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    public init() { bytes.reserveCapacity(1024) }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma.removeAll(keepingCapacity: true)
        afterKey = false
    }

    private var afterKey = false

    /// Writes the comma between items; a value right after its key needs none.
    private mutating func beginItem() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = needsComma.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
    }

    public mutating func beginObject() {
        beginItem()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma.removeLast()
    }

    public mutating func beginArray() {
        beginItem()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma.removeLast()
    }

    /// Writes `"key":`; the next call writes its value.
    public mutating func key(_ name: String) {
        beginItem()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) {
        beginItem()
        appendQuoted(value)
    }

    public mutating func number(_ value: Double) {
        beginItem()
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else if value.isFinite {
            bytes.append(contentsOf: "\(value)".utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    /// Writes a number rounded to `digits` decimal places (scores, weights), without trailing
    /// zeros, formatting the digits directly (no String per number).
    public mutating func number(_ value: Double, digits: Int) {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard value.isFinite, abs(scaled) < 9e15 else {
            number(value)
            return
        }
        beginItem()
        var n = Int64(scaled)
        if n < 0 {
            bytes.append(UInt8(ascii: "-"))
            n = -n
        }
        let unit = Int64(scale)
        appendDigits(n / unit)
        var fraction = n % unit
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var width = digits
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        var digitsOut = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var k = width - 1
        while fraction > 0 {
            digitsOut[k] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
            k -= 1
        }
        bytes.append(contentsOf: digitsOut)
    }

    private mutating func appendDigits(_ v: Int64) {
        if v >= 10 { appendDigits(v / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(v % 10))
    }

    public mutating func int(_ value: Int) {
        beginItem()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func bool(_ value: Bool) {
        beginItem()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        beginItem()
        bytes.append(contentsOf: "null".utf8)
    }

    public mutating func stringArray(_ values: [String]) {
        beginArray()
        for v in values { string(v) }
        endArray()
    }

    public mutating func newline() { bytes.append(0x0A) }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Copy runs that need no escaping in one go; escape the rest byte by byte.
            var runStart = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, Self.hex[Int(b >> 4)], Self.hex[Int(b & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension Post {
    /// Writes the post as one compact JSON object (no newline), in the field order of DESIGN.md.
    public func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(id)
        if let platform { w.key("platform"); w.string(platform) }
        if let url { w.key("url"); w.string(url) }
        if let author {
            w.key("author")
            w.beginObject()
            if let v = author.id { w.key("id"); w.string(v) }
            if let v = author.handle { w.key("handle"); w.string(v) }
            if let v = author.name { w.key("name"); w.string(v) }
            w.endObject()
        }
        if let published { w.key("published"); w.string(published) }
        if let fetched { w.key("fetched"); w.string(fetched) }
        if let language { w.key("language"); w.string(language) }
        if let title { w.key("title"); w.string(title) }
        if let description { w.key("description"); w.string(description) }
        if !hashtags.isEmpty { w.key("hashtags"); w.stringArray(hashtags) }
        if !captions.isEmpty {
            w.key("captions")
            w.beginArray()
            for cue in captions {
                w.beginObject()
                w.key("start"); w.number(cue.start)
                w.key("end"); w.number(cue.end)
                w.key("text"); w.string(cue.text)
                if let t = cue.track { w.key("track"); w.string(t) }
                w.endObject()
            }
            w.endArray()
        }
        if let labels { w.key("labels"); w.stringArray(labels) }
        if !tags.isEmpty { w.key("tags"); w.stringArray(tags) }
        w.endObject()
    }

    /// The post as one JSONL line, without the trailing newline.
    public var jsonLine: String {
        var w = JSONWriter()
        write(to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
