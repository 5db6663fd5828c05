public import Posts

extension FeatureExtractor {
    /// How the fast path handled the texts it was given (for tests and measurements).
    public struct FastPathCounts: Sendable, Hashable {
        /// Texts extracted.
        public var texts = 0
        /// Texts in which the scan itself found a pattern (phone, price, handle, contact word…).
        public var scannedPatterns = 0
        /// Texts that went through the piece path: another pattern may start in them, or the
        /// sink needed token texts the scan did not keep.
        public var piecePath = 0
        /// Texts whose tokens the sink took one by one with their texts, built by the scan.
        public var tokenTexts = 0

        public init() {}

        public mutating func add(_ other: FastPathCounts) {
            texts += other.texts
            scannedPatterns += other.scannedPatterns
            piecePath += other.piecePath
            tokenTexts += other.tokenTexts
        }
    }

    /// Extracts the tokens of a post read as bytes, for scoring and training: the same tokens,
    /// in the same order and with the same weights, as `extract(_: Post, into:)`.
    ///
    /// A text is hashed in one pass (`TokenScan`), which also finds numbers, phones, prices and
    /// @handles; only a text that may hold another pattern or a number written in words, or
    /// whose tokens the sink cannot take by hash alone, goes through the piece path.
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
        fastPathCounts.texts += 1
        scan.reset(
            hashtag: field == .hashtags, wordBigrams: configuration.wordBigrams, cjkBigrams: configuration.cjkBigrams,
            keepText: sink.needsTokenTexts)
        if field == .hashtags {
            hashtagTokenizer.split(bytes, into: &scan)
        } else {
            tokenizer.split(bytes, into: &scan)
        }
        if scan.mightMatch {
            fastPathCounts.piecePath += 1
            extract(bytes: bytes, field: field, index: index, cueStart: nil, into: &sink)
            return
        }
        if scan.scanPatterns, scan.findPatterns() { fastPathCounts.scannedPatterns += 1 }
        scan.end()
        let tokens = scan.tokens.hashes
        let weight = configuration.weight(of: field)
        let origin = TokenOrigin(field: field, index: index, start: 0, end: Int32(bytes.count))
        guard sink.acceptsHashesOnly(tokens) else {
            guard scan.keepsText else {
                fastPathCounts.piecePath += 1
                extract(bytes: bytes, field: field, index: index, cueStart: nil, into: &sink)
                return
            }
            // Token by token, as the piece path emits them, with texts for the sink to keep.
            fastPathCounts.tokenTexts += 1
            scan.tokenSources()
            if configuration.binary {
                for k in 0..<tokens.count { Self.emit(&sink, seen, tokens[k], weight: weight, origin: origin, text: scan.text(ofToken: k)) }
            } else {
                let scan = scan
                sink.add(hashes: tokens, weight: weight, origin: origin) { scan.appendText(ofToken: $0, to: $1) }
            }
            return
        }
        if configuration.binary {
            for h in tokens { Self.emit(&sink, seen, h, weight: weight, origin: origin, text: "") }
        } else {
            sink.add(hashes: tokens, weight: weight, origin: origin)
        }
    }
}
