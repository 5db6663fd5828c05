/// An XML or HTML document could not be parsed or queried.
///
/// The message says what happened, names the document (its URL or file path) and says what to do.
///
/// ```swift
/// do {
///     let feed = try XMLDocument(bytes: bytes, url: "https://example.org/feed.xml")
/// } catch {
///     print("Error: \(error)")   // malformedDocument: Could not parse XML 'https://…/feed.xml' at line 3: …
/// }
/// ```
public struct MarkupError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case malformedDocument, tooLarge, emptyDocument, unsupportedEncoding, invalidXPath
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The bytes are not well-formed XML (or libxml2 could not build any tree from the HTML).
        public static var malformedDocument: Code { .init(.malformedDocument) }
        /// The document is bigger than the configured maximum size.
        public static var tooLarge: Code { .init(.tooLarge) }
        /// The document has no bytes or no root element.
        public static var emptyDocument: Code { .init(.emptyDocument) }
        /// The declared or requested text encoding is not known to libxml2/iconv.
        public static var unsupportedEncoding: Code { .init(.unsupportedEncoding) }
        /// An XPath expression could not be compiled or evaluated.
        public static var invalidXPath: Code { .init(.invalidXPath) }

        public var description: String {
            switch value {
            case .malformedDocument: "malformedDocument"
            case .tooLarge: "tooLarge"
            case .emptyDocument: "emptyDocument"
            case .unsupportedEncoding: "unsupportedEncoding"
            case .invalidXPath: "invalidXPath"
            }
        }
    }

    public var code: Code
    /// What happened, naming the document, and what to do.
    public var message: String
    /// The URL or file path of the document, as given to the parser.
    public var url: String
    /// 1-based line of the problem in the document, when libxml2 reported one.
    public var line: Int?
    /// libxml2's `xmlParserErrors` value (e.g. 9 is `XML_ERR_INVALID_CHAR`), when the error came from libxml2.
    public var libxml2Code: Int?

    public init(code: Code, message: String, url: String, line: Int? = nil, libxml2Code: Int? = nil) {
        self.code = code
        self.message = message
        self.url = url
        self.line = line
        self.libxml2Code = libxml2Code
    }

    public var description: String { "\(code): \(message)" }

}

extension MarkupError.Code {
    /// Lets `catch MarkupError.Code.malformedDocument` match on the code.
    public static func ~= (code: MarkupError.Code, error: any Error) -> Bool {
        (error as? MarkupError)?.code == code
    }
}
