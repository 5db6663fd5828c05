extension Post {
    /// Parses one JSONL line (DESIGN.md "Data contracts"). Unknown keys are skipped.
    ///
    /// Throws `PostsError` without file and line; `PostReader` adds them.
    public init(jsonLine bytes: UnsafeRawBufferPointer) throws(PostsError) {
        do {
            self = try Self.parse(bytes)
        } catch {
            throw PostsError(error.code, error.reason)
        }
    }

    public init(jsonLine text: String) throws(PostsError) {
        var copy = text
        let result = copy.withUTF8 { buf -> Result<Post, PostsError> in
            do throws(PostsError) { return .success(try Post(jsonLine: UnsafeRawBufferPointer(buf))) } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(LineError) -> Post {
        var s = JSONScanner(bytes)
        guard s.peek() == UInt8(ascii: "{") else {
            throw LineError(code: .malformedJSON, reason: "expected a JSON object, found \(s.kindOfNext())")
        }
        var post = Post(id: "")
        var sawID = false
        try s.forEachKey { s, key throws(LineError) in
            if s.key(key, is: "id") {
                post.id = try s.requiredString("id")
                sawID = true
            } else if s.key(key, is: "title") {
                post.title = try s.optionalString("title")
            } else if s.key(key, is: "description") {
                post.description = try s.optionalString("description")
            } else if s.key(key, is: "captions") {
                post.captions = try s.cues()
            } else if s.key(key, is: "hashtags") {
                post.hashtags = try s.stringArray("hashtags") ?? []
            } else if s.key(key, is: "labels") {
                post.labels = try s.stringArray("labels")
            } else if s.key(key, is: "tags") {
                post.tags = try s.stringArray("tags") ?? []
            } else if s.key(key, is: "platform") {
                post.platform = try s.optionalString("platform")
            } else if s.key(key, is: "url") {
                post.url = try s.optionalString("url")
            } else if s.key(key, is: "published") {
                post.published = try s.optionalString("published")
            } else if s.key(key, is: "fetched") {
                post.fetched = try s.optionalString("fetched")
            } else if s.key(key, is: "language") {
                post.language = try s.optionalString("language")
            } else if s.key(key, is: "author") {
                post.author = try s.author()
            } else {
                try s.skipValue()
            }
        }
        guard s.peek() == nil else { throw s.fail("unexpected text after the object") }
        guard sawID else { throw LineError(code: .missingField, reason: "missing required field 'id'") }
        guard !post.id.isEmpty else { throw LineError(code: .missingField, reason: "'id' is empty") }
        guard post.hasText else {
            throw LineError(
                code: .missingField,
                reason: "post '\(post.id)' has no text: give it a title, description, hashtags or captions")
        }
        return post
    }
}

extension JSONScanner {
    mutating func wrongType(_ field: String, _ expected: String) -> LineError {
        LineError(code: .wrongType, reason: "expected '\(field)' to be \(expected), found \(kindOfNext())")
    }

    mutating func requiredString(_ field: String) throws(LineError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw wrongType(field, "a string") }
        return try string()
    }

    mutating func optionalString(_ field: String) throws(LineError) -> String? {
        if consumeNull() { return nil }
        return try requiredString(field)
    }

    mutating func stringArray(_ field: String) throws(LineError) -> [String]? {
        if consumeNull() { return nil }
        guard peek() == UInt8(ascii: "[") else { throw wrongType(field, "an array of strings") }
        var out: [String] = []
        try forEachElement { s throws(LineError) in
            guard s.peek() == UInt8(ascii: "\"") else { throw s.wrongType("\(field)[\(out.count)]", "a string") }
            out.append(try s.string())
        }
        return out
    }

    mutating func author() throws(LineError) -> Author? {
        if consumeNull() { return nil }
        guard peek() == UInt8(ascii: "{") else { throw wrongType("author", "an object") }
        var a = Author()
        try forEachKey { s, key throws(LineError) in
            if s.key(key, is: "id") {
                a.id = try s.optionalString("author.id")
            } else if s.key(key, is: "handle") {
                a.handle = try s.optionalString("author.handle")
            } else if s.key(key, is: "name") {
                a.name = try s.optionalString("author.name")
            } else {
                try s.skipValue()
            }
        }
        return a
    }

    mutating func cues() throws(LineError) -> [Cue] {
        if consumeNull() { return [] }
        guard peek() == UInt8(ascii: "[") else { throw wrongType("captions", "an array") }
        var out: [Cue] = []
        try forEachElement { s throws(LineError) in
            let n = out.count
            guard s.peek() == UInt8(ascii: "{") else { throw s.wrongType("captions[\(n)]", "an object") }
            var cue = Cue(start: 0, end: 0, text: "")
            var sawText = false
            try s.forEachKey { s, key throws(LineError) in
                if s.key(key, is: "text") {
                    cue.text = try s.requiredString("captions[\(n)].text")
                    sawText = true
                } else if s.key(key, is: "start") {
                    guard s.peek().map(JSONScanner.isNumberByte) == true else { throw s.wrongType("captions[\(n)].start", "a number of seconds") }
                    cue.start = try s.number()
                } else if s.key(key, is: "end") {
                    guard s.peek().map(JSONScanner.isNumberByte) == true else { throw s.wrongType("captions[\(n)].end", "a number of seconds") }
                    cue.end = try s.number()
                } else if s.key(key, is: "track") {
                    cue.track = try s.optionalString("captions[\(n)].track")
                } else {
                    try s.skipValue()
                }
            }
            guard sawText else { throw LineError(code: .missingField, reason: "'captions[\(n)]' has no 'text'") }
            out.append(cue)
        }
        return out
    }
}
