/// A caption file could not be read.
///
/// The message names the file or URL and, where it applies, the line, and says what to do.
///
/// ```swift
/// do {
///     let cues = try Captions.cues(from: bytes, url: "clip.es.vtt")
/// } catch {
///     print("Error: \(error)")   // invalidTimestamp: 'clip.es.vtt' line 4: …
/// }
/// ```
public struct CaptionError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidSignature, malformedBlock, invalidTimestamp, malformedDocument, unknownFormat,
                 unsupportedEncoding, tooLarge
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A WebVTT file does not start with `WEBVTT`.
        public static var invalidSignature: Code { .init(.invalidSignature) }
        /// An SRT file has text that is not a subtitle block (garbage before, between or after blocks).
        public static var malformedBlock: Code { .init(.malformedBlock) }
        /// A timestamp or time expression could not be read.
        public static var invalidTimestamp: Code { .init(.invalidTimestamp) }
        /// A TTML, srv3 or json3 document is not well-formed or not of the expected shape.
        public static var malformedDocument: Code { .init(.malformedDocument) }
        /// The caption format could not be recognised from the content or the file extension.
        public static var unknownFormat: Code { .init(.unknownFormat) }
        /// The bytes are in a text encoding that could not be converted to UTF-8.
        public static var unsupportedEncoding: Code { .init(.unsupportedEncoding) }
        /// The document is larger than the parser's limit.
        public static var tooLarge: Code { .init(.tooLarge) }

        public var description: String {
            switch value {
            case .invalidSignature: "invalidSignature"
            case .malformedBlock: "malformedBlock"
            case .invalidTimestamp: "invalidTimestamp"
            case .malformedDocument: "malformedDocument"
            case .unknownFormat: "unknownFormat"
            case .unsupportedEncoding: "unsupportedEncoding"
            case .tooLarge: "tooLarge"
            }
        }
    }

    public var code: Code
    /// What happened, naming the file or URL and line, and what to do.
    public var message: String
    /// The file path or URL given to the parser.
    public var url: String
    /// 1-based line of the problem, when known.
    public var line: Int?
    /// The underlying error (for example a `MarkupError` from libxml2), if any.
    public var cause: (any Error & Sendable)?

    public init(code: Code, message: String, url: String, line: Int? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.url = url
        self.line = line
        self.cause = cause
    }

    /// Builds the message as "'<url>' line <n>: <what>. <what to do>".
    static func at(_ code: Code, _ url: String, line: Int?, _ what: String, _ advice: String) -> CaptionError {
        let place = line.map { "'\(url)' line \($0)" } ?? "'\(url)'"
        return CaptionError(code: code, message: "\(place): \(what). \(advice)", url: url, line: line)
    }

    public var description: String { "\(code): \(message)" }
}

extension CaptionError.Code {
    /// Lets `catch CaptionError.Code.invalidTimestamp` match on the code.
    public static func ~= (code: CaptionError.Code, error: any Error) -> Bool {
        (error as? CaptionError)?.code == code
    }
}
