/// TTML time expressions (<https://www.w3.org/TR/ttml2/#timing-value-timeExpression>) in seconds.
///
/// Clock time `hh:mm:ss`, `hh:mm:ss.fraction`, `hh:mm:ss:frames(.subframes)`; offset time `<number><metric>` with
/// metric `h`, `m`, `s`, `ms`, `f` (frames) or `t` (ticks).
struct TTMLTiming: Sendable {
    /// Effective frames per second: `ttp:frameRate` × `ttp:frameRateMultiplier`. The default is 30.
    var frameRate: Double = 30
    /// `ttp:subFrameRate`. The default is 1.
    var subFrameRate: Double = 1
    /// `ttp:tickRate`. The default is `frameRate × subFrameRate` when a frame rate is given, else 1.
    var tickRate: Double = 1

    /// Seconds for a time expression, or `nil` when it is not one.
    func seconds(_ expression: String) -> Double? {
        let bytes = Array(expression.utf8)
        var lo = 0
        var hi = bytes.count
        while lo < hi, ASCII.isWhitespace(bytes[lo]) { lo += 1 }
        while hi > lo, ASCII.isWhitespace(bytes[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }
        let b = bytes[lo..<hi]
        if b.contains(UInt8(ascii: ":")) { return clockTime(Array(b)) }
        return offsetTime(Array(b))
    }

    private func clockTime(_ b: [UInt8]) -> Double? {
        // Split on ':' → 3 or 4 parts; the seconds part may carry a fraction, the frames part sub-frames.
        let parts = b.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map(Array.init)
        guard parts.count == 3 || parts.count == 4 else { return nil }
        guard let h = integer(parts[0]), parts[0].count >= 2, let m = integer(parts[1]), parts[1].count == 2 else { return nil }
        guard m < 60 else { return nil }
        var total = h * 3600 + m * 60
        if parts.count == 3 {
            guard let s = decimal(parts[2]), parts[2].prefix(while: ASCII.isDigit).count == 2, s < 61 else { return nil }
            total += s
        } else {
            guard let s = integer(parts[2]), parts[2].count == 2, s < 61 else { return nil }
            total += s
            let frameParts = parts[3].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
            guard frameParts.count <= 2, let frames = integer(frameParts[0]), frameParts[0].count >= 2 else { return nil }
            var f = frames
            if frameParts.count == 2 {
                guard let sub = integer(frameParts[1]) else { return nil }
                f += sub / subFrameRate
            }
            total += f / frameRate
        }
        return total
    }

    private func offsetTime(_ b: [UInt8]) -> Double? {
        var i = 0
        while i < b.count, ASCII.isDigit(b[i]) || b[i] == UInt8(ascii: ".") { i += 1 }
        guard i > 0, let value = decimal(Array(b[..<i])) else { return nil }
        switch String(decoding: b[i...], as: UTF8.self) {
        case "h": return value * 3600
        case "m": return value * 60
        case "s": return value
        case "ms": return value / 1000
        case "f": return value / frameRate
        case "t": return value / tickRate
        default: return nil
        }
    }

    private func integer(_ b: [UInt8]) -> Double? {
        guard !b.isEmpty, b.allSatisfy(ASCII.isDigit) else { return nil }
        return b.reduce(0.0) { $0 * 10 + Double($1 - ASCII.zero) }
    }

    private func decimal(_ b: [UInt8]) -> Double? {
        let pieces = b.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = integer(Array(pieces[0])) else { return nil }
        guard pieces.count == 2 else { return whole }
        guard !pieces[1].isEmpty, pieces[1].allSatisfy(ASCII.isDigit) else { return nil }
        var scale = 1.0
        var fraction = 0.0
        for d in pieces[1] {
            scale /= 10
            fraction += Double(d - ASCII.zero) * scale
        }
        return whole + fraction
    }
}
