// Foundation-free Codable conformance that matches the JSONL contract: optional fields may be
// absent, empty lists are omitted when writing, and `labels` is written only when present.
extension Post {
    enum CodingKeys: String, CodingKey {
        case id, platform, url, author, published, fetched, language, title, description, hashtags,
            captions, labels, tags
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            platform: try c.decodeIfPresent(String.self, forKey: .platform),
            url: try c.decodeIfPresent(String.self, forKey: .url),
            author: try c.decodeIfPresent(Author.self, forKey: .author),
            published: try c.decodeIfPresent(String.self, forKey: .published),
            fetched: try c.decodeIfPresent(String.self, forKey: .fetched),
            language: try c.decodeIfPresent(String.self, forKey: .language),
            title: try c.decodeIfPresent(String.self, forKey: .title),
            description: try c.decodeIfPresent(String.self, forKey: .description),
            hashtags: try c.decodeIfPresent([String].self, forKey: .hashtags) ?? [],
            captions: try c.decodeIfPresent([Cue].self, forKey: .captions) ?? [],
            labels: try c.decodeIfPresent([String].self, forKey: .labels),
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(platform, forKey: .platform)
        try c.encodeIfPresent(url, forKey: .url)
        try c.encodeIfPresent(author, forKey: .author)
        try c.encodeIfPresent(published, forKey: .published)
        try c.encodeIfPresent(fetched, forKey: .fetched)
        try c.encodeIfPresent(language, forKey: .language)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encodeIfPresent(description, forKey: .description)
        if !hashtags.isEmpty { try c.encode(hashtags, forKey: .hashtags) }
        if !captions.isEmpty { try c.encode(captions, forKey: .captions) }
        try c.encodeIfPresent(labels, forKey: .labels)
        if !tags.isEmpty { try c.encode(tags, forKey: .tags) }
    }
}
