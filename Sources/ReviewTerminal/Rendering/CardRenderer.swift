import Foundation
import Posts
import ReviewQueue

/// Lays out a ``ReviewCard`` as lines for a terminal of a given width: the post's fields with
/// evidence highlighted, caption cues with their times, the model's scores and decisions, the
/// evidence list, posts sharing a contact identifier, and the post's labels.
public struct CardRenderer: Sendable {
    public var width: Int
    /// Colour on: evidence is drawn in colour. Off: evidence gets `[[…]]` / `<<…>>` markers.
    public var color: Bool

    public init(width: Int, color: Bool) {
        self.width = width
        self.color = color
    }

    /// The card's body lines, before paging.
    public func body(_ card: ReviewCard) -> [StyledText] {
        var lines: [StyledText] = []
        let post = card.post

        var head = StyledText(post.id, .bold)
        if let platform = post.platform { head.append("  \(platform)", .plain) }
        if let language = post.language { head.append("  lang \(language)", .dim) }
        if let published = post.published { head.append("  \(published)", .dim) }
        lines += wrap(head)
        if let url = post.url { lines += wrap(StyledText.sanitized(url, .dim)) }
        var queued = StyledText("queued: ", .dim)
        queued.append("\(card.item.reason), priority \(Self.format(card.item.priority))", .plain)
        lines += wrap(queued)

        if let title = post.title, !title.isEmpty {
            lines += section("Title")
            lines += wrap(highlighted(title, field: "title", evidence: card.evidence), indent: 2, prefix: StyledText("  "))
        }
        if let description = post.description, !description.isEmpty {
            lines += section("Description")
            lines += wrap(highlighted(description, field: "description", evidence: card.evidence), indent: 2, prefix: StyledText("  "))
        }
        if !post.hashtags.isEmpty {
            lines += section("Hashtags")
            var tags = StyledText("  ")
            for (k, tag) in post.hashtags.enumerated() {
                if k > 0 { tags.append(" ") }
                tags.append("#")
                tags.append(highlighted(tag, field: "hashtags", index: k, evidence: card.evidence))
            }
            lines += wrap(tags, indent: 2)
        }
        if !post.captions.isEmpty {
            lines += section("Captions (\(post.captions.count) cues)")
            for (k, cue) in post.captions.enumerated() {
                let time = Self.timestamp(cue.start)
                let prefix = StyledText("  \(time)  ", .dim)
                lines += wrap(highlighted(cue.text, field: "captions", index: k, evidence: card.evidence), indent: 4 + time.count, prefix: prefix)
            }
        }

        lines += section(card.prediction.map { "Scores (\($0.modelVersion))" } ?? "Scores")
        if let prediction = card.prediction {
            let flags = prediction.flags
            let nameWidth = flags.map(\.count).max() ?? 0
            for flag in flags {
                var line = StyledText("  " + flag.padding(toLength: nameWidth + 2, withPad: " ", startingAt: 0))
                line.append(prediction.scores[flag].map(Self.format) ?? "  -  ")
                let decision = prediction.decisions[flag]
                line.append("  ")
                line.append(decision?.rawValue ?? "-", decision.map(Self.style) ?? .plain)
                lines += wrap(line, indent: 4)
            }
        } else {
            lines += wrap(StyledText("  no prediction stored for this post", .dim))
        }

        if !card.evidence.isEmpty {
            lines += section("Evidence")
            for e in card.evidence {
                var line = StyledText("  ")
                line.append((e.flag ?? "·").padding(toLength: 9, withPad: " ", startingAt: 0), .dim)
                line.append(e.kind.padding(toLength: 9, withPad: " ", startingAt: 0))
                line.append(StyledText.sanitized(e.text, Style.evidence(kind: e.kind, flag: e.flag)))
                if let value = e.value, value != e.text { line.append(" → \(value)", .dim) }
                var whereText = " (\(e.field)"
                if let cue = e.cue { whereText += " cue \(cue)" }
                if let start = e.start { whereText += " at \(Self.timestamp(start))" }
                whereText += ")"
                line.append(whereText, .dim)
                if let weight = e.weight { line.append(String(format: " +%.2f", weight), .dim) }
                lines += wrap(line, indent: 20)
            }
        }

        lines += section("Other posts sharing a contact identifier")
        if card.shared.isEmpty {
            lines += wrap(StyledText("  none", .dim))
        } else {
            for other in card.shared {
                var line = StyledText("  ")
                line.append(StyledText.sanitized(other.shared.postID, .bold))
                line.append("  ")
                line.append(other.shared.contacts.map { "\($0.kind) \($0.value)" }.joined(separator: ", "), .contact)
                line.append("  ")
                if let label = other.currentLabel {
                    line.append("labelled \(label.flags.isEmpty ? "benign" : label.flags.joined(separator: "+"))", .dim)
                } else {
                    line.append("not labelled", .dim)
                }
                lines += wrap(line, indent: 4)
            }
        }

        lines += section("Labels")
        if card.labels.isEmpty {
            lines += wrap(StyledText("  not labelled yet", .dim))
        } else {
            for label in card.labels {
                var line = StyledText("  ")
                line.append(label.flags.isEmpty ? "benign" : label.flags.joined(separator: "+"), .bold)
                line.append("  by \(label.reviewer) at \(Self.dateText(label.createdAt))", .dim)
                if let note = label.note { line.append("  note: ", .dim); line.append(StyledText.sanitized(note)) }
                lines += wrap(line, indent: 4)
            }
        }
        return lines
    }

    // MARK: - Pieces

    func section(_ title: String) -> [StyledText] {
        [StyledText(), StyledText(title, .heading)]
    }

    func wrap(_ text: StyledText, indent: Int = 0, prefix: StyledText = StyledText()) -> [StyledText] {
        Layout.wrap(color ? text : text.withMarkers(), width: width, prefix: prefix, indent: indent)
    }

    /// A field's text with its evidence spans styled. `index` is the cue or hashtag index.
    public func highlighted(_ text: String, field: String, index: Int? = nil, evidence: [EvidenceRecord]) -> StyledText {
        var styled = StyledText.sanitized(text)
        for e in evidence where e.field == field {
            if field == "captions", e.cue != index { continue }
            guard let range = e.scalarRange(in: Array(text.unicodeScalars)) else { continue }
            styled.highlight(range, Style.evidence(kind: e.kind, flag: e.flag))
        }
        return styled
    }

    // MARK: - Formatting

    /// `m:ss`, or `h:mm:ss` from an hour on.
    public static func timestamp(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded(.down)))
        let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%02d:%02d", m, s)
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    static func style(_ decision: FlagDecision) -> Style {
        switch decision {
        case .flag: .flag
        case .unsure: .unsure
        case .clear: .clear
        }
    }

    static func dateText(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
