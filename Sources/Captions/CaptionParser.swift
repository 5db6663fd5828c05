public import Posts

/// Reads any supported caption file into ``Cue`` values.
///
/// ```swift
/// let cues = try CaptionParser.cues(from: bytes, url: "video.es.vtt", track: "es.auto")
/// ```
public enum CaptionParser {
    /// Parses caption bytes of any supported format into cues.
    ///
    /// - Parameters:
    ///   - bytes: the file contents.
    ///   - url: the file path or URL; named in errors and used for format detection by extension.
    ///   - format: the format, or `nil` to detect it with ``CaptionFormat/detect(_:name:)``.
    ///   - track: stored in each cue's `track` (e.g. `es.auto`).
    ///   - deduplicatingRollingCaptions: apply ``RollingCaptions/deduplicated(_:force:)``. The default is `true`.
    /// - Throws: ``CaptionError``; `.unknownFormat` when the format cannot be detected.
    public static func cues(from bytes: some Collection<UInt8>, url: String, format: CaptionFormat? = nil,
                            track: String? = nil, deduplicatingRollingCaptions: Bool = true) throws(CaptionError) -> [Cue] {
        guard let format = format ?? CaptionFormat.detect(bytes, name: url) else {
            throw CaptionError.at(.unknownFormat, url, line: nil, "not a recognised caption format",
                                  "Supported: WebVTT, SRT, TTML/DFXP, YouTube srv1/srv2/srv3 and json3; pass the format explicitly if the file is one of them.")
        }
        let cues: [Cue]
        switch format {
        case .webVTT: cues = try WebVTTDocument(bytes: bytes, url: url).captionCues(track: track)
        case .srt: cues = try SRTDocument(bytes: bytes, url: url).captionCues(track: track)
        case .ttml: cues = try TTMLDocument(bytes: bytes, url: url).captionCues(track: track)
        case .youTubeTimedText: cues = try YouTubeTimedText(bytes: bytes, url: url).captionCues(track: track)
        case .json3: cues = try JSON3Document(bytes: bytes, url: url).captionCues(track: track)
        }
        return deduplicatingRollingCaptions ? RollingCaptions.deduplicated(cues) : cues
    }
}
