/// Everything that can go wrong in a review store, with a message that names the file, URL, post
/// or flag and says what to do (STYLE.md D1).
public struct ReviewQueueError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: String, Hashable, Sendable {
            case unknownPost, unknownFlag, invalidLabel, notClaimed, leaseHeld
            case databaseLocked, readOnly, corrupt, cannotOpen, newerSchema
            case invalidURL, connectionFailed, database, invalidData, changedMeanwhile
        }
        private let raw: Raw

        /// A label or prediction names a post id the store has never seen.
        public static let unknownPost = Code(raw: .unknownPost)
        /// An ingest item came without a prediction (its post looked unchanged), but the post is new
        /// or changed in the store by now: classify the batch and ingest it again.
        public static let changedMeanwhile = Code(raw: .changedMeanwhile)
        /// A label uses a flag no model in the store has.
        public static let unknownFlag = Code(raw: .unknownFlag)
        /// A label with no reviewer, an empty flag name, …
        public static let invalidLabel = Code(raw: .invalidLabel)
        /// A release or update for an item or source the caller does not hold.
        public static let notClaimed = Code(raw: .notClaimed)
        /// Another worker holds the crawl lease of a source.
        public static let leaseHeld = Code(raw: .leaseHeld)
        /// SQLite: another process kept the file locked longer than the busy timeout.
        public static let databaseLocked = Code(raw: .databaseLocked)
        /// The database file or its folder cannot be written.
        public static let readOnly = Code(raw: .readOnly)
        /// The file is not a SQLite database or is damaged.
        public static let corrupt = Code(raw: .corrupt)
        /// The file or its folder cannot be opened or created.
        public static let cannotOpen = Code(raw: .cannotOpen)
        /// The database was migrated by a newer smugglewatch.
        public static let newerSchema = Code(raw: .newerSchema)
        /// `--db` / `SMUGGLEWATCH_DB` is neither a path nor a valid `postgres://` URL.
        public static let invalidURL = Code(raw: .invalidURL)
        /// PostgreSQL could not be reached or dropped the connection.
        public static let connectionFailed = Code(raw: .connectionFailed)
        /// Any other database error.
        public static let database = Code(raw: .database)
        /// A stored row could not be decoded (e.g. bad JSON written by something else).
        public static let invalidData = Code(raw: .invalidData)

        public var description: String { raw.rawValue }
    }

    public var code: Code
    /// What happened, naming the thing, and what to do.
    public var message: String
    /// The database file path or the PostgreSQL URL without its password.
    public var location: String?
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, location: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.cause = cause
    }

    public var description: String { message }

}

extension ReviewQueueError.Code {
    /// `catch ReviewQueueError.Code.unknownPost` style matching.
    public static func ~= (code: Self, error: any Error) -> Bool {
        (error as? ReviewQueueError)?.code == code
    }
}

extension ReviewQueueError {
    static func unknownPost(_ id: String) -> ReviewQueueError {
        ReviewQueueError(
            .unknownPost,
            "No post with id '\(id)' in the store. Add the post first (crawl, import or `smugglewatch queue add FILE`) or check the id."
        )
    }

    static func unknownFlags(_ flags: [String], known: [String]) -> ReviewQueueError {
        let names = flags.map { "'\($0)'" }.joined(separator: ", ")
        var message = "Unknown flag\(flags.count == 1 ? "" : "s") \(names): the models in this store know only \(known.joined(separator: ", "))."
        if let first = flags.first, let guess = closest(to: first, in: known) {
            message += " Did you mean '\(guess)'?"
        }
        return ReviewQueueError(.unknownFlag, message)
    }

    /// The known name with the smallest edit distance, if it is close enough to be a typo.
    static func closest(to name: String, in known: [String]) -> String? {
        let a = Array(name.lowercased().utf8)
        var best: (String, Int)?
        for candidate in known {
            let b = Array(candidate.lowercased().utf8)
            var row = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in stride(from: 1, through: b.count, by: 1) {
                    let old = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = old
                }
            }
            let distance = a.isEmpty ? b.count : row[b.count]
            if distance <= max(2, b.count / 3), distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }
}
