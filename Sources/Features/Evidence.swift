public import Posts

/// Something in a post that a reviewer should see: a contact identifier, a price, or (from the
/// model) a phrase that pushed a flag's score.
public struct Evidence: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case phone, whatsapp, telegram, wechat, handle, qr, dm, price, url, phrase
    }

    public var kind: Kind
    /// The normalised value: a phone in E.164 where the country is evident, a handle, a price.
    public var value: String?
    /// The original text the evidence covers.
    public var text: String
    public var field: PostField
    /// Index of the caption cue, and its start time in seconds, when the evidence is in captions.
    public var cue: Int?
    public var cueStart: Double?
    /// Start and end offsets in Unicode scalars (as Python indexes strings) within the field's
    /// text (for hashtags: within that hashtag; for captions: within that cue).
    public var range: [Int]
    /// For phrase evidence: the flag it pushed and its contribution to that flag's log-odds.
    public var flag: String?
    public var weight: Double?

    public init(
        kind: Kind, value: String? = nil, text: String, field: PostField, cue: Int? = nil, cueStart: Double? = nil,
        range: [Int], flag: String? = nil, weight: Double? = nil
    ) {
        self.kind = kind
        self.value = value
        self.text = text
        self.field = field
        self.cue = cue
        self.cueStart = cueStart
        self.range = range
        self.flag = flag
        self.weight = weight
    }
}

/// Where a token came from: the field, the caption cue (or -1), and the byte range of its
/// original text within that field's text.
public struct TokenOrigin: Sendable, Hashable {
    public var field: PostField
    /// Caption cue index, or hashtag index for the hashtags field; -1 for title and description.
    public var index: Int32
    public var start: Int32
    public var end: Int32
}
