/// One social-media post: metadata, text fields and caption cues (DESIGN.md "Data contracts").
///
/// Dates are kept as the ISO 8601 strings the source gave, so a post round-trips byte for byte
/// and the hot path never parses dates it does not need.
public struct Post: Sendable, Hashable, Codable {
    /// `<platform>:<native id>`, stable across fetches.
    public var id: String
    public var platform: String?
    public var url: String?
    public var author: Author?
    public var published: String?
    public var fetched: String?
    /// The language the source declared. Never a model feature: we classify content, not people.
    public var language: String?
    public var title: String?
    public var description: String?
    public var hashtags: [String]
    public var captions: [Cue]
    /// `nil` for unlabelled posts; `[]` means reviewed and benign.
    public var labels: [String]?
    /// Free-form categories (corpus kinds such as `hard-negative:news`, source tags).
    public var tags: [String]

    public init(
        id: String, platform: String? = nil, url: String? = nil, author: Author? = nil,
        published: String? = nil, fetched: String? = nil, language: String? = nil,
        title: String? = nil, description: String? = nil, hashtags: [String] = [],
        captions: [Cue] = [], labels: [String]? = nil, tags: [String] = []
    ) {
        self.id = id
        self.platform = platform
        self.url = url
        self.author = author
        self.published = published
        self.fetched = fetched
        self.language = language
        self.title = title
        self.description = description
        self.hashtags = hashtags
        self.captions = captions
        self.labels = labels
        self.tags = tags
    }

    /// True when the post has at least one non-empty text field the classifier can read.
    public var hasText: Bool {
        !(title ?? "").isEmpty || !(description ?? "").isEmpty || !hashtags.isEmpty
            || captions.contains { !$0.text.isEmpty }
    }
}

public struct Author: Sendable, Hashable, Codable {
    public var id: String?
    public var handle: String?
    public var name: String?

    public init(id: String? = nil, handle: String? = nil, name: String? = nil) {
        self.id = id
        self.handle = handle
        self.name = name
    }
}

/// One caption cue: a timed piece of spoken or on-screen text.
public struct Cue: Sendable, Hashable, Codable {
    /// Seconds from the start of the media.
    public var start: Double
    public var end: Double
    public var text: String
    /// Which track the cue came from, e.g. `es.auto` for automatic Spanish captions.
    public var track: String?

    public init(start: Double, end: Double, text: String, track: String? = nil) {
        self.start = start
        self.end = end
        self.text = text
        self.track = track
    }
}

/// The text fields of a post that features are drawn from.
public enum PostField: String, Sendable, Hashable, CaseIterable, Codable {
    case title, description, hashtags, captions
}
