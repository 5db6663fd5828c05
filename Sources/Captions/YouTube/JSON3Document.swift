public import Posts

/// YouTube's json3 caption format (`fmt=json3`): `{"wireMagic":"pb3","events":[{"tStartMs","dDurationMs","segs":[{"utf8"}]}]}`.
///
/// Each event with text segments becomes a cue; events without `segs` (window definitions) and events whose text is
/// only a line break (`aAppend` line feeds in automatic captions) are skipped. Parsed on UTF-8 bytes.
///
/// ```swift
/// let cues = try JSON3Document(bytes: bytes, url: "clip.es.json3").captionCues(track: "es.auto")
/// ```
public struct JSON3Document: Sendable, Hashable {
    public struct Event: Sendable, Hashable {
        /// Seconds.
        public var start: Double
        /// Seconds.
        public var duration: Double
        public var text: String
        /// Whether the event appends to the previous line (`aAppend`).
        public var appends: Bool
    }

    public var events: [Event]
    public var url: String

    /// Parses json3 bytes.
    /// - Throws: ``CaptionError`` with code `.malformedDocument` naming the byte offset (and line) of bad JSON, or
    ///   when there is no `events` array.
    public init(bytes: some Collection<UInt8>, url: String) throws(CaptionError) {
        let value: JSONValue = try withContiguousBytes(bytes) { buffer throws(CaptionError) in
            var start = 0
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
            let body = UnsafeBufferPointer(rebasing: buffer[start...])
            do throws(JSONValue.ParseError) {
                return try JSONValue.parse(body)
            } catch {
                let line = body.prefix(error.offset).reduce(1) { $0 + ($1 == ASCII.lf ? 1 : 0) }
                throw CaptionError.at(.malformedDocument, url, line: line, "invalid JSON at byte \(error.offset + start): \(error.reason)",
                                      "Check that the file is complete YouTube json3 (fetched with fmt=json3).")
            }
        }
        guard let list = value["events"]?.array else {
            throw CaptionError.at(.malformedDocument, url, line: nil, "no \"events\" array: this is not YouTube json3",
                                  "Pass the caption file itself (fmt=json3), not the player response or info.json.")
        }
        var events: [Event] = []
        for event in list {
            guard let segs = event["segs"]?.array else { continue }
            var text = ""
            for seg in segs { text += seg["utf8"]?.string ?? "" }
            guard text.contains(where: { !$0.isWhitespace }) else { continue }
            let start = (event["tStartMs"]?.number ?? 0) / 1000
            let duration = (event["dDurationMs"]?.number ?? 0) / 1000
            events.append(Event(start: start, duration: duration, text: text, appends: event["aAppend"]?.number == 1))
        }
        self.events = events
        self.url = url
    }

    /// The events as ``Cue`` values (text trimmed of surrounding whitespace).
    public func captionCues(track: String? = nil) -> [Cue] {
        events.map { Cue(start: $0.start, end: $0.start + $0.duration, text: $0.text.trimmingSpaces(), track: track) }
    }
}
