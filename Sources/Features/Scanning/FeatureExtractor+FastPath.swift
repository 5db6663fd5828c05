public import Posts

extension FeatureExtractor {
    /// Extracts the tokens of a post read as bytes, for scoring and training: the same tokens,
    /// in the same order and with the same weights, as `extract(_: Post, into:)`.
    ///
    /// A text is hashed in one pass (`TokenScan`); only a text that may hold a contact or price
    /// pattern, or whose tokens the sink cannot take by hash alone, goes through the piece path.
    /// Evidence needs a `Post` (caption times): sinks that want evidence get none here.
    public mutating func extract<S: TokenSink>(_ post: PostText, into sink: inout S) {
        seen.removeAll()
        post.forEachField { field, index, bytes in
            extractFast(bytes, field: field, index: index, into: &sink)
        }
    }

    @inline(__always)
    mutating func extractFast<S: TokenSink>(_ bytes: UnsafeRawBufferPointer, field: PostField, index: Int32, into sink: inout S) {
        guard !bytes.isEmpty else { return }
        scan.reset(hashtag: field == .hashtags, wordBigrams: configuration.wordBigrams, cjkBigrams: configuration.cjkBigrams)
        if field == .hashtags {
            hashtagTokenizer.split(bytes, into: &scan)
        } else {
            tokenizer.split(bytes, into: &scan)
        }
        scan.end()
        let tokens = scan.tokens.hashes
        guard !scan.mightMatch, sink.acceptsHashesOnly(tokens) else {
            extract(bytes: bytes, field: field, index: index, cueStart: nil, into: &sink)
            return
        }
        let weight = configuration.weight(of: field)
        let origin = TokenOrigin(field: field, index: index, start: 0, end: Int32(bytes.count))
        if configuration.binary {
            for h in tokens { Self.emit(&sink, seen, h, weight: weight, origin: origin, text: "") }
        } else {
            sink.add(hashes: tokens, weight: weight, origin: origin)
        }
    }
}
