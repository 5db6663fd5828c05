/// The parts of one post line that scoring and training read: the id, the labels and the text
/// fields as UTF-8 bytes.
///
/// `classify` and `train` read gigabytes of JSONL. Building a `Post` (a String per field, an
/// array of cues) costs about as much as scoring it, so the hot path reads a `PostText`
/// instead: it is reused from line to line and keeps byte ranges into the line (or into its own
/// buffer for strings with escapes). It accepts exactly the lines `Post(jsonLine:)` accepts;
/// anything else goes through `Post`'s parser, which names the problem.
///
/// The bytes point into the reader's line buffer: use them only inside the reader's callback.
public struct PostText {
    public private(set) var id = ""
    /// `nil` for unlabelled posts; read only when the reader asks for labels.
    public private(set) var labels: [String]?

    /// Where a text lives: in the line (`start >= 0`) or in `unescaped` (`start < 0`, offset
    /// `~start`).
    struct Span {
        var start: Int32
        var count: Int32
    }

    var line = UnsafeRawBufferPointer(start: nil, count: 0)
    var unescaped: [UInt8] = []
    var title: Span?
    var description: Span?
    var hashtags: [Span] = []
    var captions: [Span] = []
    var readsLabels: Bool

    public init(readingLabels: Bool = true) {
        readsLabels = readingLabels
    }

    /// Calls `body` with each text field in the order the extractor reads a `Post`: title,
    /// description, each hashtag, each caption cue (with its index; -1 for title and description).
    @inline(__always)
    public func forEachField(_ body: (PostField, Int32, UnsafeRawBufferPointer) -> Void) {
        unescaped.withUnsafeBytes { buffer in
            @inline(__always) func bytes(_ s: Span) -> UnsafeRawBufferPointer {
                let from = s.start >= 0 ? line : buffer
                let start = Int(s.start >= 0 ? s.start : ~s.start)
                return UnsafeRawBufferPointer(rebasing: from[start..<start + Int(s.count)])
            }
            if let title { body(.title, -1, bytes(title)) }
            if let description { body(.description, -1, bytes(description)) }
            for (k, s) in hashtags.enumerated() { body(.hashtags, Int32(k), bytes(s)) }
            for (k, s) in captions.enumerated() { body(.captions, Int32(k), bytes(s)) }
        }
    }

    /// The texts as Strings (for tests and comparisons).
    public var fields: [(field: PostField, index: Int32, text: String)] {
        var out: [(PostField, Int32, String)] = []
        forEachField { out.append(($0, $1, String(decoding: $2, as: UTF8.self))) }
        return out
    }

    mutating func reset(_ bytes: UnsafeRawBufferPointer) {
        line = bytes
        id = ""
        labels = nil
        unescaped.removeAll(keepingCapacity: true)
        title = nil
        description = nil
        // Only when there is something to remove: the call costs ~70 instructions even then.
        if !hashtags.isEmpty { hashtags.removeAll(keepingCapacity: true) }
        if !captions.isEmpty { captions.removeAll(keepingCapacity: true) }
    }

    /// Reads one line: the fast scan, or when it declines (anything unusual) the full parser,
    /// which reads the line or names what is wrong with it.
    @inline(__always)
    mutating func read(_ bytes: UnsafeRawBufferPointer) throws(LineError) {
        do throws(LineError) {
            try parse(bytes)
        } catch {
            load(try Post.parse(bytes))
        }
    }

    /// Takes the fields of a post the full parser read (when the fast scan declined a line).
    mutating func load(_ post: Post) {
        reset(UnsafeRawBufferPointer(start: nil, count: 0))
        id = post.id
        labels = readsLabels ? post.labels : nil
        func keep(_ s: String) -> Span {
            let start = unescaped.count
            unescaped.append(contentsOf: s.utf8)
            return Span(start: ~Int32(start), count: Int32(unescaped.count - start))
        }
        title = post.title.map(keep)
        description = post.description.map(keep)
        hashtags = post.hashtags.map(keep)
        captions = post.captions.map { keep($0.text) }
    }
}

extension PostText {
    /// Reads one line, or throws when the line needs the full parser (which then either reads it
    /// or names what is wrong). Checks everything `Post.parse` checks, building no Strings but
    /// the id and labels.
    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(LineError) {
        reset(bytes)
        var s = JSONScanner(bytes)
        guard s.peek() == UInt8(ascii: "{") else { throw s.fail("expected an object") }
        var sawID = false
        // Duplicate keys: the last one wins, as in `Post.parse`.
        try s.forEachKey { s, key throws(LineError) in
            if s.key(key, is: "id") {
                guard s.peek() == UInt8(ascii: "\"") else { throw s.fail("id") }
                id = try s.string()
                sawID = true
            } else if s.key(key, is: "title") {
                title = try s.consumeNull() ? nil : text(&s)
            } else if s.key(key, is: "description") {
                description = try s.consumeNull() ? nil : text(&s)
            } else if s.key(key, is: "hashtags") {
                hashtags.removeAll(keepingCapacity: true)
                if s.consumeNull() { return }
                try s.forEachElement { s throws(LineError) in
                    let span = try text(&s)
                    hashtags.append(span)
                }
            } else if s.key(key, is: "captions") {
                captions.removeAll(keepingCapacity: true)
                if s.consumeNull() { return }
                try s.forEachElement { s throws(LineError) in
                    let span = try cue(&s)
                    captions.append(span)
                }
            } else if s.key(key, is: "labels") {
                if readsLabels {
                    labels = try s.stringArray("labels")
                } else {
                    try checkStringArray(&s)
                }
            } else if s.key(key, is: "tags") {
                try checkStringArray(&s)
            } else if s.key(key, is: "platform") || s.key(key, is: "url") || s.key(key, is: "published")
                || s.key(key, is: "fetched") || s.key(key, is: "language")
            {
                try checkOptionalString(&s)
            } else if s.key(key, is: "author") {
                if s.consumeNull() { return }
                guard s.peek() == UInt8(ascii: "{") else { throw s.fail("author") }
                try s.forEachKey { s, key throws(LineError) in
                    if s.key(key, is: "id") || s.key(key, is: "handle") || s.key(key, is: "name") {
                        try checkOptionalString(&s)
                    } else {
                        try s.skipValue()
                    }
                }
            } else {
                try s.skipValue()
            }
        }
        guard s.peek() == nil, sawID, !id.isEmpty else { throw s.fail("id") }
        let hasText = (title?.count ?? 0) > 0 || (description?.count ?? 0) > 0 || !hashtags.isEmpty || captions.contains { $0.count > 0 }
        guard hasText else { throw s.fail("no text") }
    }

    /// A string value checked as `JSONScanner.string()` checks it, kept as a span.
    private mutating func text(_ s: inout JSONScanner) throws(LineError) -> Span {
        guard s.peek() == UInt8(ascii: "\"") else { throw s.fail("string") }
        let (range, hasEscapes) = try s.stringRange()
        let raw = UnsafeRawBufferPointer(rebasing: s.bytes[range])
        if !hasEscapes {
            guard UTF8Bytes.isValid(raw) else { throw s.fail("utf8") }
            return Span(start: Int32(range.lowerBound), count: Int32(range.count))
        }
        let start = unescaped.count
        try s.unescape(raw, into: &unescaped)
        let ok = unescaped.withUnsafeBytes { UTF8Bytes.isValid(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        guard ok else { throw s.fail("utf8") }
        return Span(start: ~Int32(start), count: Int32(unescaped.count - start))
    }

    private mutating func checkOptionalString(_ s: inout JSONScanner) throws(LineError) {
        if s.consumeNull() { return }
        let mark = unescaped.count
        _ = try text(&s)
        if unescaped.count > mark { unescaped.removeLast(unescaped.count - mark) }
    }

    private mutating func checkStringArray(_ s: inout JSONScanner) throws(LineError) {
        if s.consumeNull() { return }
        guard s.peek() == UInt8(ascii: "[") else { throw s.fail("array") }
        try s.forEachElement { s throws(LineError) in
            let mark = unescaped.count
            _ = try text(&s)
            if unescaped.count > mark { unescaped.removeLast(unescaped.count - mark) }
        }
    }

    /// A caption cue: its text, with `start`, `end` and `track` checked as `Post.parse` does.
    private mutating func cue(_ s: inout JSONScanner) throws(LineError) -> Span {
        guard s.peek() == UInt8(ascii: "{") else { throw s.fail("cue") }
        var span: Span?
        try s.forEachKey { s, key throws(LineError) in
            if s.key(key, is: "text") {
                span = try text(&s)
            } else if s.key(key, is: "start") || s.key(key, is: "end") {
                guard s.peek().map(JSONScanner.isNumberByte) == true else { throw s.fail("number") }
                try s.checkNumber()
            } else if s.key(key, is: "track") {
                try checkOptionalString(&s)
            } else {
                try s.skipValue()
            }
        }
        guard let span else { throw s.fail("cue text") }
        return span
    }
}

extension JSONScanner {
    /// Checks a number as `number()` reads it, without parsing the common plain decimals
    /// ("12.5", "-3"), which are always finite doubles.
    mutating func checkNumber() throws(LineError) {
        skipWhitespace()
        let start = index
        var i = index
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < bytes.count, bytes[i] &- 0x30 < 10 { i += 1 }
        var plain = i > intStart && i - intStart <= 15
        if plain, i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < bytes.count, bytes[i] &- 0x30 < 10 { i += 1 }
            plain = i > fracStart && i - fracStart <= 15
        }
        if plain, i == bytes.count || !Self.isNumberByte(bytes[i]) {
            index = i
            return
        }
        index = start
        _ = try number()
    }
}

extension PostText {
    /// Reads one JSONL line, accepting and refusing exactly what `Post(jsonLine:)` does. The
    /// text bytes point into `bytes`: use the result while `bytes` is alive.
    public init(jsonLine bytes: UnsafeRawBufferPointer, readingLabels: Bool = true) throws(PostsError) {
        self.init(readingLabels: readingLabels)
        do throws(LineError) {
            try parse(bytes)
        } catch {
            do throws(LineError) {
                load(try Post.parse(bytes))
            } catch {
                throw PostsError(error.code, error.reason)
            }
        }
    }
}
