import Posts

/// Writes `classify`'s score lines (without `--explain` or `--log-proba`) byte for byte as
/// `PostScore.write(to:model:flags:)` does, faster: the parts that are the same on every line
/// (keys, model name, decision words) are built once, numbers are formatted in place, and the
/// thresholds are read from an array instead of a dictionary per flag.
public struct ScoreLineWriter: Sendable {
    /// Every part of a line that never changes, back to back in one array (one borrow per line
    /// instead of one per part): `{"id":`; `,"model":"NAME","scores":{"FLAG0":`; `,"FLAGf":` for
    /// f ≥ 1; `},"decision":{"FLAG0":` then `,"FLAGf":`; each decision word, quoted.
    private let parts: [UInt8]
    private let open: Range<Int>
    private let afterID: Range<Int>
    /// Score keys for f ≥ 1 (index 0 unused), decision keys, decision words (flag, unsure, clear).
    private let scoreKeys: [Range<Int>]
    private let decisionKeys: [Range<Int>]
    private let decisionWords: [Range<Int>]
    private let flagLogOdds: [Double]
    private let clearLogOdds: [Double]

    public init(model: NaiveBayesModel, label: String) {
        func quoted(_ s: String) -> [UInt8] {
            var w = JSONWriter()
            w.string(s)
            return w.bytes
        }
        let flags = model.flags
        var parts: [UInt8] = []
        func part(_ bytes: [UInt8]) -> Range<Int> {
            parts += bytes
            return parts.count - bytes.count..<parts.count
        }
        open = part(Array(#"{"id":"#.utf8))
        afterID = part(Array(#","model":"#.utf8) + quoted(label) + Array(#","scores":{"#.utf8) + (flags.isEmpty ? [] : quoted(flags[0]) + [UInt8(ascii: ":")]))
        scoreKeys = flags.enumerated().map { f, flag in f == 0 ? 0..<0 : part([UInt8(ascii: ",")] + quoted(flag) + [UInt8(ascii: ":")]) }
        decisionKeys = flags.enumerated().map { f, flag in
            part((f == 0 ? Array(#"},"decision":{"#.utf8) : [UInt8(ascii: ",")]) + quoted(flag) + [UInt8(ascii: ":")])
        }
        decisionWords = [Decision.flag, .unsure, .clear].map { part(Array("\"\($0.rawValue)\"".utf8)) }
        self.parts = parts
        flagLogOdds = flags.map { model.thresholds(for: $0).flagLogOdds }
        clearLogOdds = flags.map { model.thresholds(for: $0).clearLogOdds }
    }

    /// The decision for flag `f`, as `NaiveBayesModel.decision(for:logOdds:)`.
    @inline(__always)
    private func decisionIndex(_ f: Int, _ d: Double) -> Int {
        if d >= flagLogOdds[f] { return 0 }
        if d < clearLogOdds[f] { return 2 }
        return 1
    }

    /// Appends one score line (no newline) for a post with these log-odds per flag.
    public func write(id: String, logOdds: [Double], to out: inout [UInt8]) {
        parts.withUnsafeBufferPointer { parts in
            @inline(__always) func put(_ r: Range<Int>) { out.append(contentsOf: UnsafeBufferPointer(rebasing: parts[r])) }
            put(open)
            Self.appendQuoted(id, to: &out)
            put(afterID)
            let n = flagLogOdds.count
            if n == 0 {
                out.append(contentsOf: #"},"decision":{}}"#.utf8)
                return
            }
            for f in 0..<n {
                if f > 0 { put(scoreKeys[f]) }
                Self.appendNumber(Scorer.probability(logOdds: logOdds[f]), to: &out)
            }
            for f in 0..<n {
                put(decisionKeys[f])
                put(decisionWords[decisionIndex(f, logOdds[f])])
            }
            out.append(UInt8(ascii: "}"))
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string as `JSONWriter.string` writes it.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most ids need no escapes: one copy, not an append per byte.
        var s = s
        let copied = s.withUTF8 { bytes in
            for b in bytes where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                out.append(b)
                continue
            }
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                out.append(UInt8(ascii: "u"))
                out.append(0x30)
                out.append(0x30)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A probability as `JSONWriter.number(_:digits: 4)` writes it: rounded to four places, no
    /// trailing zeros.
    static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        let scaled = (value * 10_000).rounded()
        guard value.isFinite, abs(scaled) < 9e15 else {
            var w = JSONWriter()
            w.number(value, digits: 4)
            out.append(contentsOf: w.bytes)
            return
        }
        var n = Int64(scaled)
        if n < 0 {
            out.append(UInt8(ascii: "-"))
            n = -n
        }
        appendDigits(n / 10_000, to: &out)
        var fraction = n % 10_000
        guard fraction != 0 else { return }
        out.append(UInt8(ascii: "."))
        var width = 4
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        // `width` digits, leading zeros kept: 0.05 → "05".
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    private static func appendDigits(_ v: Int64, to out: inout [UInt8]) {
        if v >= 10 { appendDigits(v / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(v % 10))
    }
}
