/// Streams posts out of JSONL files or standard input.
///
/// By default a bad line is skipped with a warning that names the file, line and reason, and the
/// count of skipped lines is reported at the end; with `strict` the first bad line stops reading.
public struct PostReader: Sendable {
    public struct Options: Sendable {
        /// Stop at the first bad line instead of skipping it.
        public var strict = false
        /// Lines longer than this are refused without being held in memory.
        public var maxLineBytes = 4 << 20
        public init(strict: Bool = false, maxLineBytes: Int = 4 << 20) {
            self.strict = strict
            self.maxLineBytes = maxLineBytes
        }
    }

    public struct Summary: Sendable, Equatable {
        public var posts = 0
        public var skipped = 0
        public var blankLines = 0
        public var bytes = 0

        public init() {}

        /// Adds the counts of another part of the same input.
        public mutating func add(_ other: Summary) {
            posts += other.posts
            skipped += other.skipped
            blankLines += other.blankLines
            bytes += other.bytes
        }
    }

    public var options: Options
    /// Receives one message per skipped line (the CLI prints them to stderr).
    public var warn: @Sendable (PostsError) -> Void

    public init(options: Options = Options(), warn: @escaping @Sendable (PostsError) -> Void = { _ in }) {
        self.options = options
        self.warn = warn
    }

    /// Reads every post of `path` (nil or `-` for standard input) in order.
    ///
    /// Throws `PostsError` for unreadable files, for an input with no posts at all, and in strict
    /// mode for the first bad line. Errors thrown by `body` pass through unchanged.
    @discardableResult
    public func forEachPost(in path: String?, _ body: (Post) throws -> Void) throws -> Summary {
        var post = Post(id: "")
        return try forEachLine(in: path, parse: { bytes throws(LineError) in post = try Post.parse(bytes) }, body: { try body(post) })
    }

    /// Reads the id, labels and text bytes of every post of `path`, for scoring and training:
    /// the same posts, skips and errors as `forEachPost`, without building a `Post` per line.
    /// The `PostText` is valid only inside `body`.
    @discardableResult
    public func forEachPostText(in path: String?, readingLabels: Bool = true, _ body: (PostText) throws -> Void) throws -> Summary {
        var text = PostText(readingLabels: readingLabels)
        return try forEachLine(in: path, parse: { bytes throws(LineError) in try text.read(bytes) }, body: { try body(text) })
    }

    /// The line loop shared by both readers: `parse` reads a line (or throws why it is bad) and
    /// `body` then takes what it read.
    private func forEachLine(
        in path: String?, parse: (UnsafeRawBufferPointer) throws(LineError) -> Void, body: () throws -> Void
    ) throws -> Summary {
        let reader = try LineReader(path: path, maxLineBytes: options.maxLineBytes)
        let name = reader.name
        var summary = Summary()
        try reader.forEachLine { line, number in
            switch read(line, number: number, of: name, into: &summary, parse: parse) {
            case .post: try body()
            case .blank: break
            case .bad(let failure):
                if options.strict { throw failure }
                warn(failure)
            }
        }
        try Self.checkNotEmpty(summary, name: name)
        return summary
    }

    /// What one line was.
    enum LineOutcome {
        case post, blank
        /// Counted as skipped; a strict reader stops here instead.
        case bad(PostsError)
    }

    /// One line, as every reader takes it: counts its bytes and what it was; `parse` reads a
    /// line that is not blank (or throws why it is bad).
    @inline(__always)
    func read(
        _ line: LineReader.Line, number: Int, of name: String, into summary: inout Summary,
        parse: (UnsafeRawBufferPointer) throws(LineError) -> Void
    ) -> LineOutcome {
        let failure: PostsError
        switch line {
        case .tooLong(let size):
            summary.bytes += size + 1
            failure = PostsError(
                .lineTooLong,
                "line \(number) of \(name) is \(Self.describe(bytes: size)), over the \(Self.describe(bytes: options.maxLineBytes)) limit; raise it with --max-line-bytes if the post is real",
                file: name, line: number)
        case .bytes(let bytes):
            summary.bytes += bytes.count + 1
            if Self.isBlank(bytes) {
                summary.blankLines += 1
                return .blank
            }
            do throws(LineError) {
                try parse(bytes)
            } catch {
                failure = PostsError(error.code, "could not read line \(number) of \(name): \(error.reason)", file: name, line: number)
                break
            }
            summary.posts += 1
            return .post
        }
        summary.skipped += 1
        return .bad(failure)
    }

    /// An input with no posts and no bad lines is an error: most likely the wrong file.
    public static func checkNotEmpty(_ summary: Summary, name: String) throws(PostsError) {
        if summary.posts == 0 && summary.skipped == 0 {
            throw PostsError(.emptyInput, "\(name) holds no posts: expected one JSON object per line (see README, 'Data formats').", file: name)
        }
    }

    /// Reads all posts of several inputs into memory (for training-sized data).
    public func readAll(_ paths: [String?]) throws -> [Post] {
        var posts: [Post] = []
        for p in paths { try forEachPost(in: p) { posts.append($0) } }
        return posts
    }

    static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for b in bytes where !(b == 0x20 || b == 0x09 || b == 0x0D) { return false }
        return true
    }

    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 { return "\((Double(bytes) / Double(1 << 20) * 10).rounded() / 10) MiB" }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
