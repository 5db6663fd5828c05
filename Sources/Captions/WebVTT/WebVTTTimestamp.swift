/// "Collect a WebVTT timestamp" (<https://w3c.github.io/webvtt/#collect-a-webvtt-timestamp>) on UTF-8 bytes.
enum WebVTTTimestamp {
    /// Reads a timestamp at `i` in `b[..<end]`, advancing `i`; `nil` on failure (then `i` is unspecified).
    @inline(__always)
    static func collect(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int) -> Double? {
        var hoursUnits = false
        guard i < end, ASCII.isDigit(b[i]) else { return nil }
        var value1 = 0.0
        var digits1 = 0
        while i < end, ASCII.isDigit(b[i]) {
            value1 = value1 * 10 + Double(b[i] &- ASCII.zero)
            digits1 += 1
            i += 1
        }
        if digits1 != 2 || value1 > 59 { hoursUnits = true }
        guard i < end, b[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let v2 = twoDigits(b, &i, end: end) else { return nil }
        var value2 = Double(v2)
        var value3: Double
        if hoursUnits || (i < end && b[i] == UInt8(ascii: ":")) {
            guard i < end, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let v3 = twoDigits(b, &i, end: end) else { return nil }
            value3 = Double(v3)
        } else {
            value3 = value2
            value2 = value1
            value1 = 0
        }
        guard i < end, b[i] == UInt8(ascii: ".") else { return nil }
        i += 1
        var value4 = 0
        var digits4 = 0
        while i < end, ASCII.isDigit(b[i]) {
            if digits4 < 4 { value4 = value4 * 10 + Int(b[i] &- ASCII.zero) }
            digits4 += 1
            i += 1
        }
        guard digits4 == 3, value2 <= 59, value3 <= 59 else { return nil }
        return value1 * 3600 + value2 * 60 + value3 + Double(value4) / 1000
    }

    @inline(__always)
    private static func twoDigits(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int) -> Int? {
        var value = 0
        var digits = 0
        while i < end, ASCII.isDigit(b[i]) {
            if digits < 3 { value = value * 10 + Int(b[i] &- ASCII.zero) }
            digits += 1
            i += 1
        }
        return digits == 2 ? value : nil
    }

    /// A timestamp as WebVTT writes it: `HH:MM:SS.mmm` (at least two hour digits).
    static func format(_ seconds: Double) -> String {
        let totalMillis = Int((seconds * 1000).rounded())
        let ms = totalMillis % 1000
        let s = (totalMillis / 1000) % 60
        let m = (totalMillis / 60_000) % 60
        let h = totalMillis / 3_600_000
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        return "\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))"
    }
}
