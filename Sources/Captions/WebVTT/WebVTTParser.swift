/// The WebVTT file parsing algorithm on UTF-8 bytes (<https://w3c.github.io/webvtt/#file-parsing>).
///
/// CR, LF and CRLF all end a line; NUL becomes U+FFFD; invalid UTF-8 becomes U+FFFD when strings are made.
struct WebVTTParser {
    private let b: UnsafeBufferPointer<UInt8>
    private let url: String
    private var pos = 0
    /// 1-based number of the line that starts at `pos`.
    private var lineNumber = 1
    private var seenCue = false
    private var cues: [WebVTTCue] = []
    private var regions: [WebVTTRegion] = []
    private var styleSheets: [String] = []
    /// The block buffer, reused across blocks so parsing a cue does not allocate it afresh.
    private var buffer: [UInt8] = []

    private init(_ b: UnsafeBufferPointer<UInt8>, url: String) {
        self.b = b
        self.url = url
    }

    static func parse(_ input: UnsafeBufferPointer<UInt8>, url: String) throws(CaptionError) -> WebVTTDocument {
        if input.count >= 2, (input[0] == 0xFF && input[1] == 0xFE) || (input[0] == 0xFE && input[1] == 0xFF) {
            let utf8 = try TextDecoding.utf8(input, encoding: nil, url: url) ?? []
            return try utf8.withUnsafeBufferPointer { buffer throws(CaptionError) in try parseUTF8(buffer, url: url) }
        }
        return try parseUTF8(input, url: url)
    }

    private static func parseUTF8(_ input: UnsafeBufferPointer<UInt8>, url: String) throws(CaptionError) -> WebVTTDocument {
        var start = 0
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { start = 3 }
        let body = UnsafeBufferPointer(rebasing: input[start...])
        // NUL → U+FFFD needs a copy; files without NUL (nearly all) are parsed in place.
        if body.contains(0) {
            var copy: [UInt8] = []
            copy.reserveCapacity(body.count + 16)
            for byte in body {
                if byte == 0 { copy.append(contentsOf: [0xEF, 0xBF, 0xBD]) } else { copy.append(byte) }
            }
            return try copy.withUnsafeBufferPointer { buffer throws(CaptionError) in
                var parser = WebVTTParser(buffer, url: url)
                return try parser.run()
            }
        }
        var parser = WebVTTParser(body, url: url)
        return try parser.run()
    }

    // MARK: File

    private mutating func run() throws(CaptionError) -> WebVTTDocument {
        // Signature: "WEBVTT" then end of file, space, tab or a line end.
        let signature: StaticString = "WEBVTT"
        let ok: Bool = {
            guard b.count >= 6, b.firstIndex(of: signature, in: 0..<6) == 0 else { return false }
            guard b.count > 6 else { return true }
            let c = b[6]
            return c == ASCII.space || c == ASCII.tab || c == ASCII.lf || c == ASCII.cr
        }()
        guard ok else {
            throw CaptionError.at(.invalidSignature, url, line: 1, "not a WebVTT file: it must start with \"WEBVTT\"",
                                  "Check the format (SRT files start with a number; use the SRT parser) or fix the first line.")
        }
        _ = readLine()
        if pos < b.count {
            if b[pos] == ASCII.lf || b[pos] == ASCII.cr {
                _ = readLine()
            } else {
                _ = collectBlock(inHeader: true)
            }
        }
        skipLineEnds()
        while pos < b.count {
            switch collectBlock(inHeader: false) {
            case .cue(let cue): cues.append(cue)
            case .styleSheet(let text): styleSheets.append(text)
            case .region(let region): regions.append(region)
            case nil: break
            }
            skipLineEnds()
        }
        // Text track cue order: start ascending, end descending, then file order (a stable sort). Files are nearly
        // always in order already; then nothing is moved.
        let inOrder = zip(cues, cues.dropFirst()).allSatisfy { x, y in
            x.startTime < y.startTime || (x.startTime == y.startTime && x.endTime >= y.endTime)
        }
        if inOrder { return WebVTTDocument(cues: cues, regions: regions, styleSheets: styleSheets, url: url) }
        let ordered = cues.enumerated().sorted { x, y in
            if x.element.startTime != y.element.startTime { return x.element.startTime < y.element.startTime }
            if x.element.endTime != y.element.endTime { return x.element.endTime > y.element.endTime }
            return x.offset < y.offset
        }.map(\.element)
        return WebVTTDocument(cues: ordered, regions: regions, styleSheets: styleSheets, url: url)
    }

    /// Reads the line at `pos` and moves past its line end; `seenEOF` when no line end followed.
    private mutating func readLine() -> (range: Range<Int>, seenEOF: Bool) {
        let end = b.endOfLine(from: pos)
        let range = pos..<end
        if end >= b.count {
            pos = b.count
            return (range, true)
        }
        pos = b.startOfNextLine(afterLineEndingAt: end)
        lineNumber += 1
        return (range, false)
    }

    private mutating func skipLineEnds() {
        while pos < b.count {
            let c = b[pos]
            if c == ASCII.lf {
                pos += 1
                lineNumber += 1
            } else if c == ASCII.cr {
                pos += (pos + 1 < b.count && b[pos + 1] == ASCII.lf) ? 2 : 1
                lineNumber += 1
            } else {
                break
            }
        }
    }

    private enum Block {
        case cue(WebVTTCue)
        case styleSheet(String)
        case region(WebVTTRegion)
    }

    /// "Collect a WebVTT block".
    private mutating func collectBlock(inHeader: Bool) -> Block? {
        var lineCount = 0
        var previous = (pos, lineNumber)
        buffer.removeAll(keepingCapacity: true)
        var seenArrow = false
        var cue: WebVTTCue?
        var isStyle = false
        var isRegion = false
        while true {
            let timingLine = lineNumber
            let (line, seenEOF) = readLine()
            lineCount += 1
            if b.contains("-->", in: line) {
                if !inHeader && (lineCount == 1 || (lineCount == 2 && !seenArrow)) {
                    seenArrow = true
                    previous = (pos, lineNumber)
                    var newCue = WebVTTCue()
                    newCue.id = String(decoding: buffer, as: UTF8.self)
                    newCue.sourceLine = timingLine
                    if parseTimingsAndSettings(line, into: &newCue) {
                        cue = newCue
                        buffer.removeAll(keepingCapacity: true)
                        seenCue = true
                    } else {
                        cue = nil
                    }
                } else {
                    (pos, lineNumber) = previous
                    break
                }
            } else if line.isEmpty {
                break
            } else {
                if !inHeader && lineCount == 2 && !seenCue {
                    if matchesKeyword(buffer, "STYLE") {
                        isStyle = true
                        buffer.removeAll()
                    } else if matchesKeyword(buffer, "REGION") {
                        isRegion = true
                        buffer.removeAll()
                    }
                }
                if !buffer.isEmpty { buffer.append(ASCII.lf) }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: b[line]))
                previous = (pos, lineNumber)
            }
            if seenEOF { break }
        }
        if var cue {
            cue.text = String(decoding: buffer, as: UTF8.self)
            return .cue(cue)
        }
        if isStyle { return .styleSheet(String(decoding: buffer, as: UTF8.self)) }
        if isRegion { return .region(Self.parseRegion(buffer)) }
        return nil
    }

    /// `buffer` is the keyword followed only by spaces or tabs.
    private func matchesKeyword(_ buffer: [UInt8], _ keyword: String) -> Bool {
        let k = Array(keyword.utf8)
        guard buffer.count >= k.count, buffer.starts(with: k) else { return false }
        return buffer[k.count...].allSatisfy { $0 == ASCII.space || $0 == ASCII.tab }
    }

    // MARK: Timings and settings

    private func parseTimingsAndSettings(_ line: Range<Int>, into cue: inout WebVTTCue) -> Bool {
        var i = line.lowerBound
        let end = line.upperBound
        while i < end, ASCII.isWhitespace(b[i]) { i += 1 }
        guard let start = WebVTTTimestamp.collect(b, &i, end: end) else { return false }
        while i < end, ASCII.isWhitespace(b[i]) { i += 1 }
        guard i + 3 <= end, b[i] == UInt8(ascii: "-"), b[i + 1] == UInt8(ascii: "-"), b[i + 2] == UInt8(ascii: ">") else {
            return false
        }
        i += 3
        while i < end, ASCII.isWhitespace(b[i]) { i += 1 }
        guard let stop = WebVTTTimestamp.collect(b, &i, end: end) else { return false }
        cue.startTime = start
        cue.endTime = stop
        parseSettings(i..<end, into: &cue)
        return true
    }

    private func parseSettings(_ range: Range<Int>, into cue: inout WebVTTCue) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            while i < end, ASCII.isWhitespace(b[i]) { i += 1 }
            let tokenStart = i
            while i < end, !ASCII.isWhitespace(b[i]) { i += 1 }
            guard i > tokenStart else { continue }
            let token = UnsafeBufferPointer(rebasing: b[tokenStart..<i])
            guard let colon = token.firstIndex(of: UInt8(ascii: ":")), colon != 0, colon != token.count - 1 else { continue }
            let name = UnsafeBufferPointer(rebasing: token[..<colon])
            let value = UnsafeBufferPointer(rebasing: token[(colon + 1)...])
            switch String(decoding: name, as: UTF8.self) {
            case "region":
                let id = String(decoding: value, as: UTF8.self)
                cue.region = regions.lastIndex { $0.id == id }
            case "vertical":
                if value.elementsEqual("rl".utf8) { cue.vertical = .rl }
                else if value.elementsEqual("lr".utf8) { cue.vertical = .lr }
            case "line":
                Self.applyLine(value, to: &cue)
            case "position":
                var position = value
                var alignment: UnsafeBufferPointer<UInt8>?
                if let comma = value.firstIndex(of: UInt8(ascii: ",")) {
                    position = UnsafeBufferPointer(rebasing: value[..<comma])
                    alignment = UnsafeBufferPointer(rebasing: value[(comma + 1)...])
                }
                guard let number = Self.percentage(position) else { continue }
                if let alignment {
                    switch String(decoding: alignment, as: UTF8.self) {
                    case "line-left": cue.positionAlign = .lineLeft
                    case "center": cue.positionAlign = .center
                    case "line-right": cue.positionAlign = .lineRight
                    default: continue
                    }
                }
                cue.position = number
            case "size":
                guard let number = Self.percentage(value) else { continue }
                cue.size = number
            case "align":
                if let align = WebVTTCue.TextAlignment(rawValue: String(decoding: value, as: UTF8.self)) { cue.align = align }
            default:
                continue
            }
        }
    }

    private static func applyLine(_ value: UnsafeBufferPointer<UInt8>, to cue: inout WebVTTCue) {
        var position = value
        var alignment: UnsafeBufferPointer<UInt8>?
        if let comma = value.firstIndex(of: UInt8(ascii: ",")) {
            position = UnsafeBufferPointer(rebasing: value[..<comma])
            alignment = UnsafeBufferPointer(rebasing: value[(comma + 1)...])
        }
        guard position.contains(where: ASCII.isDigit) else { return }
        let isPercent = position.last == UInt8(ascii: "%")
        let number: Double
        if isPercent {
            guard let p = percentage(position) else { return }
            number = p
        } else {
            guard position.allSatisfy({ ASCII.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else { return }
            guard !position.dropFirst().contains(UInt8(ascii: "-")) else { return }
            let dots = position.indices.filter { position[$0] == UInt8(ascii: ".") }
            guard dots.count <= 1 else { return }
            if let dot = dots.first {
                guard dot > 0, ASCII.isDigit(position[dot - 1]), dot + 1 < position.count, ASCII.isDigit(position[dot + 1]) else { return }
            }
            guard let parsed = Double(String(decoding: position, as: UTF8.self)), parsed.isFinite else { return }
            number = parsed == 0 ? 0 : parsed   // "-0" is 0
        }
        if let alignment {
            switch String(decoding: alignment, as: UTF8.self) {
            case "start": cue.lineAlign = .start
            case "center": cue.lineAlign = .center
            case "end": cue.lineAlign = .end
            default: return
            }
        }
        cue.line = number
        cue.snapToLines = !isPercent
    }

    /// "Parse a percentage string": `^\d+(\.\d+)?%$`, between 0 and 100.
    static func percentage(_ value: UnsafeBufferPointer<UInt8>) -> Double? {
        guard value.count >= 2, value.last == UInt8(ascii: "%") else { return nil }
        let number = UnsafeBufferPointer(rebasing: value[..<(value.count - 1)])
        var i = 0
        while i < number.count, ASCII.isDigit(number[i]) { i += 1 }
        guard i > 0 else { return nil }
        if i < number.count {
            guard number[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            let fractionStart = i
            while i < number.count, ASCII.isDigit(number[i]) { i += 1 }
            guard i > fractionStart, i == number.count else { return nil }
        }
        guard let parsed = Double(String(decoding: number, as: UTF8.self)), parsed >= 0, parsed <= 100 else { return nil }
        return parsed
    }

    // MARK: Regions

    private static func parseRegion(_ buffer: [UInt8]) -> WebVTTRegion {
        var region = WebVTTRegion()
        buffer.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                while i < b.count, ASCII.isWhitespace(b[i]) { i += 1 }
                let tokenStart = i
                while i < b.count, !ASCII.isWhitespace(b[i]) { i += 1 }
                guard i > tokenStart else { continue }
                let token = UnsafeBufferPointer(rebasing: b[tokenStart..<i])
                guard let colon = token.firstIndex(of: UInt8(ascii: ":")), colon != 0, colon != token.count - 1 else { continue }
                let name = String(decoding: UnsafeBufferPointer(rebasing: token[..<colon]), as: UTF8.self)
                let value = UnsafeBufferPointer(rebasing: token[(colon + 1)...])
                switch name {
                case "id":
                    region.id = String(decoding: value, as: UTF8.self)
                case "width":
                    if let w = percentage(value) { region.width = w }
                case "lines":
                    guard value.allSatisfy(ASCII.isDigit) else { continue }
                    region.lines = Double(String(decoding: value, as: UTF8.self)) ?? .infinity
                case "regionanchor", "viewportanchor":
                    guard let comma = value.firstIndex(of: UInt8(ascii: ",")) else { continue }
                    guard let x = percentage(UnsafeBufferPointer(rebasing: value[..<comma])),
                          let y = percentage(UnsafeBufferPointer(rebasing: value[(comma + 1)...])) else { continue }
                    if name == "regionanchor" {
                        region.regionAnchorX = x
                        region.regionAnchorY = y
                    } else {
                        region.viewportAnchorX = x
                        region.viewportAnchorY = y
                    }
                case "scroll":
                    if value.elementsEqual("up".utf8) { region.scroll = .up }
                default:
                    continue
                }
            }
        }
        return region
    }
}
