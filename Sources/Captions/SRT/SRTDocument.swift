public import Posts

/// A SubRip (`.srt`) file, read as leniently as real-world files need and as cdown/srt reads them.
///
/// Accepted: a UTF-8 BOM, CR/LF/CRLF line ends, leading blank lines or whitespace, missing indexes, negative,
/// dotted (`1.1`) or zero-padded indexes, `,` `.` `:` or full-width (`，` `：` `．` `。`) timestamp separators, missing
/// milliseconds, hours above 24, arrows written `-->`, `- >`, `-- >` or without spaces, text after the end time
/// (kept as ``SRTSubtitle/proprietary``), blank lines inside a subtitle's text, and empty subtitles. Bytes that are
/// not UTF-8 are converted (UTF-16 with BOM, GB18030, Windows-1252; see `TextDecoding`).
///
/// Text that is not a subtitle block — a stray line before the first block, or a broken timing line after a blank
/// line — is an error naming the file and line (``CaptionError/Code/malformedBlock``).
///
/// ```swift
/// let srt = try SRTDocument(bytes: bytes, url: "clip.en.srt")
/// let cues: [Cue] = srt.captionCues(track: "en")
/// ```
///
/// - Complexity: O(n) in the size of the file.
public struct SRTDocument: Sendable, Hashable {
    public var subtitles: [SRTSubtitle]
    public var url: String

    /// Parses SRT bytes.
    ///
    /// - Parameters:
    ///   - bytes: the file contents.
    ///   - url: the file path or URL, named in errors.
    ///   - encoding: the text encoding if known from outside (e.g. `GB2312`); `nil` detects it.
    /// - Throws: ``CaptionError`` (`.malformedBlock`, `.invalidTimestamp`, `.unsupportedEncoding`) naming the line.
    public init(bytes: some Collection<UInt8>, url: String, encoding: String? = nil) throws(CaptionError) {
        subtitles = try withContiguousBytes(bytes) { buffer throws(CaptionError) in
            if let converted = try TextDecoding.utf8(buffer, encoding: encoding, url: url) {
                return try converted.withUnsafeBufferPointer { b throws(CaptionError) in try SRTParser(b, url: url).parse() }
            }
            return try SRTParser(buffer, url: url).parse()
        }
        self.url = url
    }

    /// The subtitles as ``Cue`` values; formatting tags (`<i>`, `{\an8}`) are removed and empty subtitles left out.
    public func captionCues(track: String? = nil) -> [Cue] {
        subtitles.compactMap { subtitle in
            let text = SRTDocument.plainText(subtitle.content)
            guard text.contains(where: { !$0.isWhitespace }) else { return nil }
            return Cue(start: subtitle.start, end: subtitle.end, text: text, track: track)
        }
    }

    /// Reads one SRT timestamp (`HH:MM:SS,mmm` and the lenient variants); `nil` if it is not one.
    ///
    /// Fields need not be normalised: `0:0:61,500` is 61.5 s and `00:00:00,1500` is 1.5 s.
    public static func timestamp(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { m in
            let b = UnsafeBufferPointer(m)
            var i = 0
            guard let t = SRTParser.timestamp(b, &i, end: b.count), i == b.count else { return nil }
            return t
        }
    }

    /// Removes HTML-like tags (`<i>`, `<font …>`) and ASS override blocks (`{\an8}`) from subtitle text.
    static func plainText(_ content: String) -> String {
        let bytes = Array(content.utf8)
        guard bytes.contains(UInt8(ascii: "<")) || bytes.contains(UInt8(ascii: "{")) else { return content }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "<"), i + 1 < bytes.count,
               ASCII.isAlphanumeric(bytes[i + 1]) || bytes[i + 1] == UInt8(ascii: "/"),
               let close = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: ">")),
               !bytes[i..<close].contains(ASCII.lf) {
                i = close + 1
                continue
            }
            if c == UInt8(ascii: "{"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"),
               let close = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "}")) {
                i = close + 1
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// One SubRip block.
public struct SRTSubtitle: Sendable, Hashable {
    /// The block number as written (`nil` when the block had none).
    public var index: Int?
    /// Seconds.
    public var start: Double
    /// Seconds.
    public var end: Double
    /// Text after the end time on the timing line (e.g. `X1:40 X2:600 Y1:20 Y2:50`), or `""`.
    public var proprietary: String
    /// The subtitle text as written (tags kept), lines joined by `\n`.
    public var content: String
    /// The 1-based line of the timing line in the file.
    public var sourceLine: Int
}

struct SRTParser {
    private let b: UnsafeBufferPointer<UInt8>
    private let url: String
    /// Line starts and ends (ends exclude the line break).
    private var lines: [(start: Int, end: Int)] = []

    init(_ b: UnsafeBufferPointer<UInt8>, url: String) {
        var start = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { start = 3 }
        self.b = UnsafeBufferPointer(rebasing: b[start...])
        self.url = url
        var pos = 0
        lines.reserveCapacity(self.b.count / 16)
        while pos < self.b.count {
            let end = self.b.endOfLine(from: pos)
            lines.append((pos, end))
            pos = self.b.startOfNextLine(afterLineEndingAt: end)
        }
    }

    func parse() throws(CaptionError) -> [SRTSubtitle] {
        var result: [SRTSubtitle] = []
        var l = 0
        while true {
            while l < lines.count, isBlank(l) { l += 1 }
            guard l < lines.count else { break }
            var index: Int?
            let timingLine: Int
            if isTiming(l) {
                timingLine = l
            } else if let number = indexValue(l), l + 1 < lines.count, isTiming(l + 1) {
                index = number
                timingLine = l + 1
            } else if let arrow = [l, l + 1].first(where: { $0 < lines.count && b.contains("-->", in: lines[$0].start..<lines[$0].end) }) {
                throw CaptionError.at(.invalidTimestamp, url, line: arrow + 1, "invalid timing line '\(preview(arrow))'",
                                      "Timing lines read 'HH:MM:SS,mmm --> HH:MM:SS,mmm'; fix the times on that line.")
            } else {
                throw CaptionError.at(.malformedBlock, url, line: l + 1,
                                      "expected a subtitle number or a timing line like '00:00:01,000 --> 00:00:02,500', found '\(preview(l))'",
                                      "Check that the file is SubRip (.srt) and not truncated or concatenated from pieces.")
            }
            let (start, end, proprietary) = try timing(timingLine)
            // Content: up to a blank line that is followed by a block start or the end of the file.
            var c = timingLine + 1
            var contentEnd = c
            while c < lines.count {
                if isBlank(c) {
                    var next = c
                    while next < lines.count, isBlank(next) { next += 1 }
                    if next >= lines.count || startsBlock(next) { break }
                    if looksLikeBrokenTiming(next) {
                        throw CaptionError.at(.malformedBlock, url, line: next + 1,
                                              "'\(preview(next))' looks like a subtitle block but its timing line is broken",
                                              "Fix or remove that block; timing lines read 'HH:MM:SS,mmm --> HH:MM:SS,mmm'.")
                    }
                    c = next
                    continue
                }
                if c > timingLine + 1, indexValue(c) != nil, c + 1 < lines.count, isTiming(c + 1) { break }
                c += 1
                contentEnd = c
            }
            var content: [UInt8] = []
            if contentEnd > timingLine + 1 {
                for k in (timingLine + 1)..<contentEnd {
                    if k > timingLine + 1 { content.append(ASCII.lf) }
                    content.append(contentsOf: UnsafeBufferPointer(rebasing: b[lines[k].start..<lines[k].end]))
                }
            }
            result.append(SRTSubtitle(index: index, start: start, end: end, proprietary: proprietary,
                                      content: String(decoding: content, as: UTF8.self), sourceLine: timingLine + 1))
            l = c
        }
        return result
    }

    private func preview(_ l: Int) -> String {
        let range = lines[l].start..<min(lines[l].end, lines[l].start + 60)
        return b.string(range)
    }

    private func isBlank(_ l: Int) -> Bool {
        var i = lines[l].start
        while i < lines[l].end {
            let c = b[i]
            if c != ASCII.space && c != ASCII.tab && c != ASCII.ff && c != 0x0B { return false }
            i += 1
        }
        return true
    }

    private func startsBlock(_ l: Int) -> Bool {
        isTiming(l) || (indexValue(l) != nil && l + 1 < lines.count && isTiming(l + 1))
    }

    /// A line starting with digits and a timestamp separator after a blank line, which is not a timing line.
    private func looksLikeBrokenTiming(_ l: Int) -> Bool {
        var i = lines[l].start
        let end = lines[l].end
        var digits = 0
        while i < end, ASCII.isDigit(b[i]) { i += 1; digits += 1 }
        if digits > 0, i < end, b[i] == UInt8(ascii: ":") { return true }
        // An index line followed by a line that starts like a timestamp.
        if indexValue(l) != nil, l + 1 < lines.count {
            var j = lines[l + 1].start
            var d = 0
            while j < lines[l + 1].end, ASCII.isDigit(b[j]) { j += 1; d += 1 }
            return d > 0 && j < lines[l + 1].end && Self.separatorLength(b, j, end: lines[l + 1].end) > 0
        }
        return false
    }

    /// `-?[0-9]+(\.[0-9]*)?` then optional whitespace; the integer part.
    private func indexValue(_ l: Int) -> Int? {
        var i = lines[l].start
        var end = lines[l].end
        while end > i, ASCII.isWhitespace(b[end - 1]) { end -= 1 }
        var negative = false
        if i < end, b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let digitsStart = i
        var value = 0
        while i < end, ASCII.isDigit(b[i]) {
            if value < Int(Int32.max) { value = value * 10 + Int(b[i] &- ASCII.zero) }
            i += 1
        }
        guard i > digitsStart else { return nil }
        if i < end, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, ASCII.isDigit(b[i]) { i += 1 }
        }
        guard i == end else { return nil }
        return negative ? -value : value
    }

    private func isTiming(_ l: Int) -> Bool {
        var i = lines[l].start
        let end = lines[l].end
        return Self.timingLine(b, &i, end: end) != nil
    }

    private func timing(_ l: Int) throws(CaptionError) -> (Double, Double, String) {
        var i = lines[l].start
        let end = lines[l].end
        guard let (start, stop) = Self.timingLine(b, &i, end: end) else {
            throw CaptionError.at(.invalidTimestamp, url, line: l + 1, "invalid timing line '\(preview(l))'",
                                  "Timing lines read 'HH:MM:SS,mmm --> HH:MM:SS,mmm'.")
        }
        if i < end, b[i] == ASCII.space { i += 1 }
        var propEnd = end
        while propEnd > i, ASCII.isWhitespace(b[propEnd - 1]) { propEnd -= 1 }
        return (start, stop, b.string(i..<propEnd))
    }

    /// `ts *-[ -] *> *ts`, leaving `i` after the second timestamp.
    static func timingLine(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int) -> (Double, Double)? {
        while i < end, b[i] == ASCII.space || b[i] == ASCII.tab { i += 1 }
        guard let start = timestamp(b, &i, end: end) else { return nil }
        while i < end, b[i] == ASCII.space { i += 1 }
        guard i < end, b[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard i < end, b[i] == UInt8(ascii: "-") || b[i] == ASCII.space else { return nil }
        i += 1
        while i < end, b[i] == ASCII.space { i += 1 }
        guard i < end, b[i] == UInt8(ascii: ">") else { return nil }
        i += 1
        while i < end, b[i] == ASCII.space { i += 1 }
        guard let stop = timestamp(b, &i, end: end) else { return nil }
        // The end time must end the line or be followed by a space ("00:00:0x" is not a time).
        guard i == end || b[i] == ASCII.space || b[i] == ASCII.tab else { return nil }
        return (start, stop)
    }

    /// Length of a timestamp field separator at `i`: `,` `.` `:` (1 byte), `，` `．` `：` `。` (3 bytes), or 0.
    @inline(__always)
    static func separatorLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, end: Int) -> Int {
        let c = b[i]
        if c == UInt8(ascii: ",") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") { return 1 }
        guard i + 2 < end else { return 0 }
        if c == 0xEF, b[i + 1] == 0xBC, b[i + 2] == 0x8C || b[i + 2] == 0x8E || b[i + 2] == 0x9A { return 3 }
        if c == 0xE3, b[i + 1] == 0x80, b[i + 2] == 0x82 { return 3 }
        return 0
    }

    /// `H+ sep M+ sep S+ (sep ms*)?`: fields need not be normalised; milliseconds are the integer written.
    static func timestamp(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int) -> Double? {
        var fields: (Double, Double, Double, Double) = (0, 0, 0, 0)
        for n in 0..<4 {
            let digitsStart = i
            var value = 0.0
            while i < end, ASCII.isDigit(b[i]) {
                value = value * 10 + Double(b[i] &- ASCII.zero)
                i += 1
            }
            if i == digitsStart && n < 3 { return nil }
            switch n {
            case 0: fields.0 = value
            case 1: fields.1 = value
            case 2: fields.2 = value
            default: fields.3 = value
            }
            if n == 3 { break }
            guard i < end else { return n == 2 ? total(fields) : nil }
            let sep = separatorLength(b, i, end: end)
            guard sep > 0 else { return n == 2 ? total(fields) : nil }
            if n == 2 {
                // Only a field separator followed by a digit (or nothing) starts milliseconds.
                i += sep
                continue
            }
            i += sep
        }
        return total(fields)
    }

    private static func total(_ f: (Double, Double, Double, Double)) -> Double {
        f.0 * 3600 + f.1 * 60 + f.2 + f.3 / 1000
    }
}
