import Captions
import Posts
import Testing

@Suite struct RollingCaptionsTests {
    @Test func youTubeStyleRollingCuesBecomeOneLineEach() throws {
        let vtt = try WebVTTDocument(bytes: Fixtures.bytes("rolling-auto.en.vtt"), url: "rolling-auto.en.vtt")
        let raw = vtt.captionCues()
        #expect(RollingCaptions.isRolling(raw))
        let lines = RollingCaptions.deduplicated(raw)
        #expect(lines.map(\.text) == ["[Music]", "today we bake bread", "first mix the flour", "then add warm water", "and wait an hour"])
        #expect(lines[1].start == 3.8 && lines[1].end == 6.8)
    }

    @Test func manualSubtitlesThatRepeatALineAreLeftAlone() {
        let cues = [Cue(start: 0, end: 1, text: "No!"), Cue(start: 1, end: 2, text: "No!"), Cue(start: 2, end: 3, text: "Run."),
                    Cue(start: 3, end: 4, text: "Where?"), Cue(start: 4, end: 5, text: "Home."), Cue(start: 5, end: 6, text: "Now.")]
        #expect(!RollingCaptions.isRolling(cues))
        #expect(RollingCaptions.deduplicated(cues) == cues)
        #expect(RollingCaptions.deduplicated(cues, force: true).count == 5)
    }

    @Test func everyWordOnceInvariant() throws {
        let cues = try CaptionParser.cues(from: Fixtures.bytes("rolling-auto.en.vtt"), url: "rolling-auto.en.vtt")
        let words = cues.flatMap { $0.text.split(whereSeparator: \.isWhitespace) }
        #expect(words.filter { $0 == "flour" }.count == 1)
        #expect(zip(cues, cues.dropFirst()).allSatisfy { $0.start <= $1.start })
    }
}
