public import Posts

/// De-duplicates rolling automatic captions, where each cue repeats the previous cue's last line(s) and adds one.
///
/// YouTube's automatic WebVTT shows two lines at a time: cue *n* is "line A / line B", cue *n+1* is "line B / line C",
/// with 10 ms "transition" cues holding only "line B" in between. De-duplication drops, from each cue, the leading
/// lines that equal the trailing lines of the cue before it; a cue with nothing new left is dropped and the cue
/// before it is extended to its end. Each spoken line then appears exactly once.
///
/// The track is only rewritten when it looks rolling (at least 2 cues, and 30% of the cues, repeat the previous
/// cue's last line), so manual subtitles that happen to repeat a line ("No! / No!") are left alone.
///
/// ```swift
/// let lines = RollingCaptions.deduplicated(vtt.captionCues(track: "en.auto"))
/// ```
///
/// - Complexity: O(n) in the total length of the cue texts.
public enum RollingCaptions {
    /// Whether the cues look like rolling captions.
    public static func isRolling(_ cues: [Cue]) -> Bool {
        var repeats = 0
        var previous: [Substring] = []
        for cue in cues {
            let lines = lines(of: cue.text)
            if let last = previous.last, lines.first == last { repeats += 1 }
            previous = lines
        }
        return repeats >= 2 && Double(repeats) >= 0.3 * Double(cues.count)
    }

    /// The cues with repeated lines removed (see the type's documentation); unchanged when not rolling,
    /// unless `force` is true.
    public static func deduplicated(_ cues: [Cue], force: Bool = false) -> [Cue] {
        guard force || isRolling(cues) else { return cues }
        var result: [Cue] = []
        var previous: [Substring] = []
        for cue in cues {
            let lines = lines(of: cue.text)
            var overlap = min(lines.count, previous.count)
            while overlap > 0 && !lines[..<overlap].elementsEqual(previous[(previous.count - overlap)...]) { overlap -= 1 }
            let fresh = lines[overlap...]
            previous = lines
            if fresh.isEmpty {
                if var last = result.popLast() {
                    last.end = max(last.end, cue.end)
                    result.append(last)
                }
                continue
            }
            var out = cue
            out.text = fresh.joined(separator: "\n")
            result.append(out)
        }
        return result
    }

    private static func lines(of text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { line in
                var s = line[...]
                while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
                while let l = s.last, l == " " || l == "\t" { s.removeLast() }
                return s
            }
            .filter { !$0.isEmpty }
    }
}
