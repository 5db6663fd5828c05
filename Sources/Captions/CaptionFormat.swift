/// A caption file format, detected from the content or, failing that, the file extension.
///
/// ```swift
/// CaptionFormat.detect(bytes, name: "clip.es.json3")   // .webVTT if the bytes start with "WEBVTT"
/// ```
public enum CaptionFormat: String, Sendable, Hashable, CaseIterable {
    case webVTT = "vtt"
    case srt
    case ttml
    /// YouTube timed text XML: srv1, srv2 or srv3.
    case youTubeTimedText = "srv3"
    case json3

    /// The format named by a file extension (`vtt`, `srt`, `ttml`, `dfxp`, `xml`, `srv1`–`srv3`, `json3`), or `nil`.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "vtt", "webvtt": self = .webVTT
        case "srt": self = .srt
        case "ttml", "dfxp", "ttml2", "imsc", "xml": self = .ttml
        case "srv1", "srv2", "srv3": self = .youTubeTimedText
        case "json3", "json": self = .json3
        default: return nil
        }
    }

    /// Detects the format. The content wins over the name, because yt-dlp and servers mislabel files (a `.json3` that
    /// is really WebVTT); the extension of `name` (a path or URL) breaks ties when the content says nothing.
    ///
    /// - Complexity: looks at no more than the first 4 KiB.
    public static func detect(_ bytes: some Collection<UInt8>, name: String? = nil) -> CaptionFormat? {
        var head = Array(bytes.prefix(4096))
        // UTF-16 with BOM: keep the low bytes of ASCII for sniffing.
        if head.count >= 2, (head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF) {
            let little = head[0] == 0xFF
            head = stride(from: 2, to: head.count - 1, by: 2).map { little ? head[$0] : head[$0 + 1] }
        }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        let trimmed = head.drop { ASCII.isWhitespace($0) }
        if trimmed.starts(with: Array("WEBVTT".utf8)) { return .webVTT }
        if let first = trimmed.first {
            if first == UInt8(ascii: "{") { return .json3 }
            if first == UInt8(ascii: "<") {
                let text = String(decoding: trimmed.prefix(2048), as: UTF8.self)
                if text.contains("<timedtext") || text.contains("<transcript") { return .youTubeTimedText }
                if text.contains("<tt") || text.contains(":tt ") || text.contains("ttml") || text.contains("ttaf1") { return .ttml }
            }
            if looksLikeSRT(Array(trimmed.prefix(512))) { return .srt }
        }
        if let name {
            var path = Substring(name)
            if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<q] }
            if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") {
                return CaptionFormat(fileExtension: String(path[path.index(after: dot)...]))
            }
        }
        return nil
    }

    /// An optional number line, then a timing line with "-->".
    private static func looksLikeSRT(_ head: [UInt8]) -> Bool {
        head.withUnsafeBufferPointer { b in
            var lineStart = 0
            for _ in 0..<2 {
                let end = b.endOfLine(from: lineStart)
                var i = lineStart
                if SRTParser.timingLine(b, &i, end: end) != nil { return true }
                lineStart = b.startOfNextLine(afterLineEndingAt: end)
                if lineStart >= b.count { break }
            }
            return false
        }
    }
}
