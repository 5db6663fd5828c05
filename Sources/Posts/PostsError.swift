/// An error reading or writing posts. The message names the file, line and field, and says
/// what to do.
public struct PostsError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable { case io, emptyInput, malformedJSON, wrongType, invalidUTF8, lineTooLong, missingField }
        private let raw: Raw
        /// The file could not be opened or read.
        public static let io = Code(raw: .io)
        /// The input holds no posts at all.
        public static let emptyInput = Code(raw: .emptyInput)
        /// A line is not a JSON object.
        public static let malformedJSON = Code(raw: .malformedJSON)
        /// A field has the wrong JSON type.
        public static let wrongType = Code(raw: .wrongType)
        /// A line is not valid UTF-8.
        public static let invalidUTF8 = Code(raw: .invalidUTF8)
        /// A line is longer than the reader's limit.
        public static let lineTooLong = Code(raw: .lineTooLong)
        /// `id` or every text field is missing.
        public static let missingField = Code(raw: .missingField)
        public var description: String { "\(raw)" }
    }

    public var code: Code
    /// What happened and what to do, naming the file and line.
    public var message: String
    /// The file (or `<stdin>`) and 1-based line number, when the error is about one line.
    public var file: String?
    public var line: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }

}

extension PostsError.Code {
    /// Lets callers write `catch PostsError.Code.lineTooLong`.
    public static func ~= (code: PostsError.Code, error: any Error) -> Bool {
        (error as? PostsError)?.code == code
    }
}

/// An error found while parsing one JSON line, before the reader adds file and line.
struct LineError: Error {
    var code: PostsError.Code
    /// "expected 'captions' to be an array", "unterminated string at column 40".
    var reason: String
}
