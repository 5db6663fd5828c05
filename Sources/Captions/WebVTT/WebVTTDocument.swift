public import Posts

/// A WebVTT file parsed by the W3C algorithm (<https://w3c.github.io/webvtt/#file-parsing>).
///
/// Handles the signature and header, cue identifiers, timings and all cue settings, `NOTE` comments, `STYLE` and
/// `REGION` blocks, BOMs, CR/LF/CRLF line ends and NUL bytes. Cue text keeps its markup in ``WebVTTCue/text``;
/// ``WebVTTCue/plainText`` reduces tags, inline timestamps and HTML character references to text.
///
/// ```swift
/// let vtt = try WebVTTDocument(bytes: bytes, url: "clip.es.vtt")
/// let cues: [Cue] = vtt.captionCues(track: "es")
/// ```
///
/// - Complexity: O(n) in the size of the file.
public struct WebVTTDocument: Sendable, Hashable {
    /// The cues in text-track cue order: by start time, then by end time descending, then file order.
    public var cues: [WebVTTCue]
    /// `REGION` definitions, in file order. ``WebVTTCue/region`` indexes this array.
    public var regions: [WebVTTRegion]
    /// The text of each `STYLE` block before the first cue.
    public var styleSheets: [String]
    /// The URL or file path given when parsing.
    public var url: String

    /// Parses WebVTT bytes (UTF-8; a UTF-16 byte-order mark is also accepted).
    ///
    /// - Parameters:
    ///   - bytes: the file contents.
    ///   - url: the file path or URL, named in errors.
    /// - Throws: ``CaptionError`` with code `.invalidSignature` when the file does not start with `WEBVTT`.
    public init(bytes: some Collection<UInt8>, url: String) throws(CaptionError) {
        let parsed = try withContiguousBytes(bytes) { buffer throws(CaptionError) in
            try WebVTTParser.parse(buffer, url: url)
        }
        self = parsed
    }

    init(cues: [WebVTTCue], regions: [WebVTTRegion], styleSheets: [String], url: String) {
        self.cues = cues
        self.regions = regions
        self.styleSheets = styleSheets
        self.url = url
    }

    /// The cues as ``Cue`` values with plain text; cues whose text is empty or only whitespace are left out.
    ///
    /// - Parameter track: stored in each cue's `track` (e.g. `es.auto`).
    public func captionCues(track: String? = nil) -> [Cue] {
        cues.compactMap { cue in
            let text = cue.plainText
            guard text.utf8.contains(where: { !ASCII.isWhitespace($0) }) else { return nil }
            return Cue(start: cue.startTime, end: cue.endTime, text: text, track: track)
        }
    }
}

/// One WebVTT cue with its settings, as the HTML `VTTCue` interface exposes it.
public struct WebVTTCue: Sendable, Hashable {
    public enum WritingDirection: String, Sendable, Hashable { case horizontal = "", rl, lr }
    public enum LineAlignment: String, Sendable, Hashable { case start, center, end }
    public enum PositionAlignment: String, Sendable, Hashable { case lineLeft = "line-left", center, lineRight = "line-right", auto }
    public enum TextAlignment: String, Sendable, Hashable { case start, center, end, left, right }

    /// The cue identifier (`""` when absent).
    public var id: String = ""
    /// Seconds.
    public var startTime: Double = 0
    /// Seconds.
    public var endTime: Double = 0
    /// The raw cue text, markup included, lines joined by `\n`.
    public var text: String = ""
    public var vertical: WritingDirection = .horizontal
    /// The line position; `nil` means `auto`.
    public var line: Double?
    public var snapToLines: Bool = true
    public var lineAlign: LineAlignment = .start
    /// The position as a percentage; `nil` means `auto`.
    public var position: Double?
    public var positionAlign: PositionAlignment = .auto
    /// The size as a percentage. The default is 100.
    public var size: Double = 100
    public var align: TextAlignment = .center
    /// Index into ``WebVTTDocument/regions``, or `nil`.
    public var region: Int?
    /// The 1-based line of the cue's timing line in the file.
    public var sourceLine: Int = 0

    public init() {}

    /// The cue text as a node tree, by the WebVTT cue text parsing rules.
    public var nodes: [WebVTTNode] { WebVTTCueTextParser.nodes(Array(text.utf8)) }

    /// The cue text reduced to plain text: tags dropped (ruby annotations `<rt>` too), inline timestamps dropped,
    /// character references decoded, line breaks kept as `\n`.
    public var plainText: String { WebVTTCueTextParser.plainText(text) }
}

/// A `REGION` definition.
public struct WebVTTRegion: Sendable, Hashable {
    public enum Scroll: String, Sendable, Hashable { case none = "", up }
    public var id: String = ""
    /// Percentage of the viewport width. The default is 100.
    public var width: Double = 100
    /// The number of lines. The default is 3. A `Double`, as very long digit strings are allowed.
    public var lines: Double = 3
    public var regionAnchorX: Double = 0
    public var regionAnchorY: Double = 100
    public var viewportAnchorX: Double = 0
    public var viewportAnchorY: Double = 100
    public var scroll: Scroll = .none
    public init() {}
}

/// A node of parsed cue text.
public indirect enum WebVTTNode: Sendable, Hashable {
    case text(String)
    /// An inline timestamp, in seconds.
    case timestamp(Double)
    case element(WebVTTElement)
}

/// An element of parsed cue text (`<c>`, `<i>`, `<b>`, `<u>`, `<ruby>`, `<rt>`, `<v>`, `<lang>`).
public struct WebVTTElement: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case `class` = "c", italic = "i", bold = "b", underline = "u", ruby, rubyText = "rt", voice = "v", language = "lang"
    }
    public var kind: Kind
    public var classes: [String]
    /// The voice name for `<v>`, the language tag for `<lang>`, otherwise `nil`.
    public var annotation: String?
    public var children: [WebVTTNode]
}
