public import Posts

/// Receives the tokens of a post as they are extracted.
public protocol TokenSink {
    /// One token: its hash (the model's key), its weight (the field weight), where it came from,
    /// and its text, built only when the sink asks for it.
    mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String)
    /// Whether `evidence(_:)` should be called; building evidence costs strings.
    var wantsEvidence: Bool { get }
    mutating func evidence(_ e: Evidence)
    /// Whether these tokens can be added by hash alone, with no text (a scorer, or a trainer
    /// that knows them all); when not, the extractor takes the piece path, which has the texts.
    func acceptsHashesOnly(_ hashes: UnsafeBufferPointer<UInt64>) -> Bool
    /// Adds tokens of one text by hash, all with one weight, right after `acceptsHashesOnly`
    /// said yes to the same hashes.
    mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin)
    /// Whether the sink may refuse hashes alone and ask for token texts (a trainer meeting new
    /// tokens): the fast path then keeps the folded words it reads, to give texts itself.
    var needsTokenTexts: Bool { get }
    /// Adds tokens of one text, all with one weight, right after `acceptsHashesOnly` said no to
    /// the same hashes; `text(k)` builds the text of token `k`. The same as `add` token by token.
    mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin, text: (Int) -> String)
    /// The same, with `appendText(k, bytes)` appending the UTF-8 text of token `k` to `bytes`
    /// (a sink keeping texts in one byte arena then builds no `String`).
    mutating func add(
        hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin,
        appendingText appendText: (Int, ReusableBuffer<UInt8>) -> Void)
}

extension TokenSink {
    public var wantsEvidence: Bool { false }
    public mutating func evidence(_ e: Evidence) {}
    public func acceptsHashesOnly(_ hashes: UnsafeBufferPointer<UInt64>) -> Bool { false }
    public var needsTokenTexts: Bool { false }
    public mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin, text: (Int) -> String) {
        for k in 0..<hashes.count { add(hashes[k], weight: weight, origin: origin, text: text(k)) }
    }
    public mutating func add(hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin) {
        for h in hashes { add(h, weight: weight, origin: origin, text: "") }
    }
    public mutating func add(
        hashes: UnsafeBufferPointer<UInt64>, weight: Double, origin: TokenOrigin,
        appendingText appendText: (Int, ReusableBuffer<UInt8>) -> Void
    ) {
        let bytes = ReusableBuffer<UInt8>(capacity: 64)
        add(hashes: hashes, weight: weight, origin: origin) { k in
            bytes.count = 0
            appendText(k, bytes)
            return String(decoding: bytes.elements, as: UTF8.self)
        }
    }
}

/// Turns a post into the tokens the model counts and the evidence a reviewer sees.
///
/// Tokens: folded words and word bigrams for alphabetic scripts; character unigrams and bigrams
/// for Chinese (no whitespace needed); hashtags whole (`#cruzarlafrontera`) and split at case
/// changes; emoji; `__num__` for other numbers; and one token per contact or price pattern
/// (`__phone__`, `__wa_link__`, `__tg_handle__`, `__wechat_id__`, `__price__`, …).
///
/// The post's declared language and its author are never read: features describe content only.
public struct FeatureExtractor {
    public struct Configuration: Sendable, Hashable, Codable {
        /// How much a token from each field counts.
        public var titleWeight = 1.0
        public var descriptionWeight = 1.0
        public var hashtagWeight = 1.0
        public var captionWeight = 1.0
        public var wordBigrams = true
        public var cjkBigrams = true
        /// Count each token once per post (presence) instead of once per occurrence.
        public var binary = false

        public init() {}

        public func weight(of field: PostField) -> Double {
            switch field {
            case .title: titleWeight
            case .description: descriptionWeight
            case .hashtags: hashtagWeight
            case .captions: captionWeight
            }
        }
    }

    public var configuration: Configuration
    var tokenizer = Tokenizer()
    var hashtagTokenizer = Tokenizer(splitCamelCase: true)
    var pieces = Pieces()
    var spelled = Pieces()
    var hashes: [UInt64] = []
    var consumed: [Bool] = []
    /// The fast path's tokens of the current text (Scanning/).
    var scan = TokenScan()
    /// How the fast path handled texts so far.
    public internal(set) var fastPathCounts = FastPathCounts()
    /// Tokens already emitted for the current post (for `binary`); a class so emitting needs no
    /// exclusive access to the extractor while the token's text closure reads it.
    let seen = TokenSet()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Extracts every token of `post` into `sink`, field by field.
    public mutating func extract<S: TokenSink>(_ post: Post, into sink: inout S) {
        seen.removeAll()
        extractFields(post, into: &sink)
    }

    mutating func extractFields<S: TokenSink>(_ post: Post, into sink: inout S) {
        if let t = post.title { extract(text: t, field: .title, index: -1, cueStart: nil, into: &sink) }
        if let d = post.description { extract(text: d, field: .description, index: -1, cueStart: nil, into: &sink) }
        for (k, tag) in post.hashtags.enumerated() {
            extract(text: tag, field: .hashtags, index: Int32(k), cueStart: nil, into: &sink)
        }
        for (k, cue) in post.captions.enumerated() {
            extract(text: cue.text, field: .captions, index: Int32(k), cueStart: cue.start, into: &sink)
        }
    }

    /// The tokens of one text, as strings with their total weights, in first-seen order.
    public mutating func tokens(of post: Post) -> [(token: String, count: Double)] {
        var sink = CollectingSink()
        extract(post, into: &sink)
        return sink.order.map { ($0, sink.counts[$0]!) }
    }

    /// The contact and price evidence of a post.
    public mutating func evidence(in post: Post) -> [Evidence] {
        var sink = CollectingSink()
        sink.collectEvidence = true
        extract(post, into: &sink)
        return sink.found
    }

    mutating func extract<S: TokenSink>(
        text: String, field: PostField, index: Int32, cueStart: Double?, into sink: inout S
    ) {
        guard !text.isEmpty else { return }
        var text = text
        text.withUTF8 { raw in
            extract(bytes: UnsafeRawBufferPointer(raw), field: field, index: index, cueStart: cueStart, into: &sink)
        }
    }

    /// The piece path: splits the text into pieces, finds patterns, emits tokens and evidence.
    mutating func extract<S: TokenSink>(
        bytes: UnsafeRawBufferPointer, field: PostField, index: Int32, cueStart: Double?, into sink: inout S
    ) {
        pieces.removeAll()
        if field == .hashtags {
            // A hashtag is one word however it is written: "#CruzarLaFrontera".
            hashtagTokenizer.split(bytes, into: &pieces)
        } else {
            tokenizer.split(bytes, into: &pieces)
        }
        hashes.removeAll(keepingCapacity: true)
        for i in 0..<pieces.count { hashes.append(TokenHash.hash(pieces.bytes(i))) }
        if spellOutNumbers() {
            hashes.removeAll(keepingCapacity: true)
            for i in 0..<pieces.count { hashes.append(TokenHash.hash(pieces.bytes(i))) }
        }
        consumed.removeAll(keepingCapacity: true)
        consumed.append(contentsOf: repeatElement(false, count: pieces.count))
        var context = Context(
            seen: configuration.binary ? seen : nil, field: field, index: index, cueStart: cueStart, weight: configuration.weight(of: field), text: bytes)
        findPatterns(&context, into: &sink)
        emitTokens(&context, into: &sink)
        if field == .hashtags { emitWholeHashtag(bytes, &context, into: &sink) }
    }

    struct Context {
        /// The tokens seen so far in this post, when counting presence (`binary`).
        var seen: TokenSet?
        var field: PostField
        var index: Int32
        var cueStart: Double?
        var weight: Double
        var text: UnsafeRawBufferPointer

        func origin(_ start: Int32, _ end: Int32) -> TokenOrigin {
            TokenOrigin(field: field, index: index, start: start, end: end)
        }

        /// Scalar offset of a byte offset in the original text.
        func scalarOffset(_ byte: Int32) -> Int {
            var n = 0
            for k in 0..<Int(byte) where text[k] & 0xC0 != 0x80 { n += 1 }
            return n
        }

        func original(_ start: Int32, _ end: Int32) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: text[Int(start)..<Int(end)]), as: UTF8.self)
        }
    }

    // MARK: - Ordinary tokens

    static let numberToken = "__num__"
    static let numberHash = TokenHash.hash(numberToken)

    mutating func emitTokens<S: TokenSink>(_ c: inout Context, into sink: inout S) {
        var previousWord = -2
        var previousCJK = -2
        let w = c.weight
        for i in 0..<pieces.count {
            if consumed[i] { continue }
            let p = pieces[i]
            let origin = c.origin(p.start, p.end)
            switch p.kind {
            case .word:
                Self.emit(&sink, c.seen, hashes[i], weight: w, origin: origin, text: pieces.string(i))
                if configuration.wordBigrams, previousWord == i - 1 {
                    let h = TokenHash.hash(pieces.bytes(i), from: TokenHash.step(hashes[i - 1], 0x20))
                    let o = c.origin(pieces[i - 1].start, p.end)
                    Self.emit(&sink, c.seen, h, weight: w, origin: o, text: pieces.string(i - 1) + " " + pieces.string(i))
                }
                if c.field != .hashtags, i > 0, !p.spaceBefore, !consumed[i - 1], pieces.piece(i - 1, is: "#") {
                    let h = TokenHash.hash(pieces.bytes(i), from: TokenHash.step(TokenHash.offsetBasis, UInt8(ascii: "#")))
                    Self.emit(&sink, c.seen, h, weight: w, origin: c.origin(pieces[i - 1].start, p.end), text: "#" + pieces.string(i))
                }
                previousWord = i
            case .number:
                Self.emit(&sink, c.seen, Self.numberHash, weight: w, origin: origin, text: Self.numberToken)
            case .cjk:
                Self.emit(&sink, c.seen, hashes[i], weight: w, origin: origin, text: pieces.string(i))
                if configuration.cjkBigrams, previousCJK == i - 1, !p.spaceBefore {
                    let h = TokenHash.hash(pieces.bytes(i), from: hashes[i - 1])
                    Self.emit(&sink, c.seen, h, weight: w, origin: c.origin(pieces[i - 1].start, p.end), text: pieces.string(i - 1) + pieces.string(i))
                }
                previousCJK = i
            case .symbol:
                Self.emit(&sink, c.seen, hashes[i], weight: w, origin: origin, text: pieces.string(i))
            case .punct:
                break
            }
        }
    }

    /// A hashtag also counts whole, folded, with its '#': "#CruzarLaFrontera" → "#cruzarlafrontera".
    mutating func emitWholeHashtag<S: TokenSink>(_ bytes: UnsafeRawBufferPointer, _ c: inout Context, into sink: inout S) {
        var h = TokenHash.step(TokenHash.offsetBasis, UInt8(ascii: "#"))
        var text: [UInt8] = [UInt8(ascii: "#")]
        for i in 0..<pieces.count where pieces[i].kind != .punct && pieces[i].kind != .symbol {
            h = TokenHash.hash(pieces.bytes(i), from: h)
            text.append(contentsOf: pieces.bytes(i))
        }
        guard text.count > 1 else { return }
        Self.emit(&sink, c.seen, h, weight: c.weight, origin: c.origin(0, Int32(bytes.count)), text: String(decoding: text, as: UTF8.self))
    }
}

extension FeatureExtractor {
    /// Hands one token to the sink; with `binary` (when `seen` is given), only its first
    /// occurrence in the post. Static, so a call copies nothing of the extractor.
    @inline(__always)
    static func emit<S: TokenSink>(
        _ sink: inout S, _ seen: TokenSet?, _ hash: UInt64, weight: Double, origin: TokenOrigin,
        text: @autoclosure () -> String
    ) {
        if let seen, !seen.insert(hash) { return }
        sink.add(hash, weight: weight, origin: origin, text: text())
    }
}

/// A set of token hashes, cleared in O(1) per post by bumping a generation stamp.
final class TokenSet {
    private var keys = [UInt64](repeating: 0, count: 1024)
    private var stamps = [UInt32](repeating: 0, count: 1024)
    private var generation: UInt32 = 1
    private var count = 0

    func removeAll() {
        generation &+= 1
        count = 0
        if generation == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            generation = 1
        }
    }

    /// Adds a hash; false when it was already there.
    @inline(__always)
    func insert(_ h: UInt64) -> Bool {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while stamps[i] == generation {
            if keys[i] == h { return false }
            i = (i + 1) & mask
        }
        stamps[i] = generation
        keys[i] = h
        count += 1
        return true
    }

    private func grow() {
        let old = zip(keys, stamps).filter { $0.1 == generation }.map(\.0)
        keys = [UInt64](repeating: 0, count: keys.count * 2)
        stamps = [UInt32](repeating: 0, count: keys.count)
        count = 0
        for h in old { _ = insert(h) }
    }
}

/// Collects token counts by text, for `features` output, tests and explanations.
public struct CollectingSink: TokenSink {
    public var counts: [String: Double] = [:]
    public var order: [String] = []
    public var origins: [String: TokenOrigin] = [:]
    public var found: [Evidence] = []
    public var collectEvidence = false

    public init() {}

    public var wantsEvidence: Bool { collectEvidence }

    public mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String) {
        let t = text()
        if counts[t] == nil {
            order.append(t)
            origins[t] = origin
        }
        counts[t, default: 0] += weight
    }

    public mutating func evidence(_ e: Evidence) { found.append(e) }
}
