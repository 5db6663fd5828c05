import Foundation
import Posts
public import ReviewQueue

/// The interactive review loop without the terminal: keys in, store calls and screen lines out.
///
/// It claims the next item, shows it, and turns keys into decisions saved at once with
/// ``ReviewQueueStore/addLabel(postID:flags:reviewer:note:)``; skip releases the claim (the
/// item returns to the queue for others and this session passes over it); undo appends an undo
/// record for the session's last label and re-opens its item. Tests drive it with ``handle(_:)``
/// and read ``frame(columns:rows:)``.
public final class ReviewSession {
    public struct Options: Sendable {
        public var reviewer: String
        public var lease: Duration
        public var color: Bool
        public var sharedLimit: Int

        public init(reviewer: String, lease: Duration = .seconds(15 * 60), color: Bool = true, sharedLimit: Int = 8) {
            self.reviewer = reviewer
            self.lease = lease
            self.color = color
            self.sharedLimit = sharedLimit
        }
    }

    public let store: any ReviewQueueStore
    public let options: Options
    public let bindings: KeyBindings

    public private(set) var card: ReviewCard?
    /// Items skipped in this session; claims pass over them.
    public private(set) var skippedItems: [Int64] = []
    /// Labels saved in this session, newest last: what `u` undoes.
    public private(set) var undoStack: [Int64] = []
    public private(set) var decided = 0
    public private(set) var skipped = 0
    public private(set) var undone = 0
    public private(set) var isFinished = false
    /// The note for the next decision, and the note being typed.
    public private(set) var pendingNote: String?
    public private(set) var noteDraft: String?
    public private(set) var toggled: Set<String> = []
    public private(set) var message: (text: String, style: Style)?
    public private(set) var showHelp = false
    private var scroll = 0
    private var lastPageHeight = 20

    public init(store: any ReviewQueueStore, flags: [String], options: Options) {
        self.store = store
        self.options = options
        self.bindings = KeyBindings(flags: flags)
    }

    /// Claims the first item.
    public func start() async throws {
        try await claimNext()
        if card == nil { message = ("The queue is empty: nothing to review right now.", .dim) }
    }

    /// Gives the current item back to the queue. Call once when the session ends.
    public func finish() async {
        if let card { try? await store.release(itemID: card.item.id, by: options.reviewer) }
        card = nil
        isFinished = true
    }

    public var summary: String {
        "Reviewed \(decided) item\(decided == 1 ? "" : "s"), skipped \(skipped), undid \(undone) (reviewer \(options.reviewer))."
    }

    // MARK: - Keys

    /// Acts on one key. Store errors are shown on the status line, not thrown, so a failed
    /// save never ends the session; the caller sees them in ``message``.
    public func handle(_ key: Key) async {
        do {
            try await dispatch(key)
        } catch let error as ReviewQueueError {
            message = ("\(error.message)", .error)
        } catch {
            message = ("\(error)", .error)
        }
    }

    private func dispatch(_ key: Key) async throws {
        if noteDraft != nil { return editNote(key) }
        if showHelp {
            // Any key closes the help, and does nothing else.
            showHelp = false
            return
        }
        switch key {
        case .character("q"), .control("c"), .control("d"):
            await finish()
        case .character("?"):
            showHelp.toggle()
        case .character("s"):
            try await skip()
        case .character("u"):
            try await undo()
        case .character("a"), .character("N"):
            guard card != nil else { return message = ("No item to attach a note to.", .dim) }
            noteDraft = pendingNote ?? ""
        case .character("n"):
            try await decide([])
        case .character("r"), .control("l"):
            if card == nil { try await claimNext() } else if let item = card?.item { card = try await load(item) }
            if card == nil { message = ("The queue is still empty.", .dim) }
        case .enter:
            guard !toggled.isEmpty else {
                return message = ("Choose flags with \(bindings.numberRange) first, or press n for benign.", .dim)
            }
            try await decide(toggled.sorted())
        case .escape:
            toggled = []
            message = nil
        case .character(" "), .pageDown:
            scroll += max(1, lastPageHeight - 1)
        case .pageUp, .character("-"):
            scroll = max(0, scroll - max(1, lastPageHeight - 1))
        case .down, .character("j"):
            scroll += 1
        case .up, .character("k"):
            scroll = max(0, scroll - 1)
        case .home:
            scroll = 0
        case .character(let c):
            if let flags = bindings.letter[c] {
                try await decide(flags)
            } else if let digit = c.wholeNumberValue, digit >= 1, digit <= bindings.numbered.count {
                let flag = bindings.numbered[digit - 1]
                if toggled.contains(flag) { toggled.remove(flag) } else { toggled.insert(flag) }
                message = (toggled.isEmpty ? "No flags chosen." : "Chosen: \(toggled.sorted().joined(separator: "+")). Enter saves.", .plain)
            } else {
                message = ("Unknown key '\(c)'. Press ? for help.", .dim)
            }
        default:
            break
        }
    }

    private func editNote(_ key: Key) {
        switch key {
        case .enter:
            let text = (noteDraft ?? "").trimmingCharacters(in: .whitespaces)
            pendingNote = text.isEmpty ? nil : text
            noteDraft = nil
            message = (pendingNote == nil ? "Note cleared." : "Note kept for the next decision on this item.", .plain)
        case .escape, .control("c"):
            noteDraft = nil
            message = ("Note not changed.", .dim)
        case .backspace:
            if noteDraft?.isEmpty == false { noteDraft?.removeLast() }
        case .character(let c):
            noteDraft?.append(c)
        default:
            break
        }
    }

    // MARK: - Actions

    private func decide(_ flags: [String]) async throws {
        guard let card else { return message = ("No item to decide: the queue is empty (r looks again).", .dim) }
        // The decision and the next claim in one store call (one transaction on SQLite).
        let result = try await store.addLabelAndClaimNext(
            postID: card.post.id, flags: flags, reviewer: options.reviewer, note: pendingNote, lease: options.lease,
            excluding: skippedItems)
        let label = result.label
        undoStack.append(label.id)
        decided += 1
        let what = label.flags.isEmpty ? "benign" : label.flags.joined(separator: "+")
        let note = pendingNote == nil ? "" : " with a note"
        pendingNote = nil
        toggled = []
        try await show(result.next)
        message = ("Saved \(card.post.id) as \(what)\(note) (label \(label.id)). u undoes.", .clear)
    }

    private func skip() async throws {
        guard let card else { return message = ("Nothing to skip.", .dim) }
        do {
            try await store.release(itemID: card.item.id, by: options.reviewer)
        } catch ReviewQueueError.Code.notClaimed {
            // The lease ran out and someone else took it: just move on.
        }
        skippedItems.append(card.item.id)
        skipped += 1
        pendingNote = nil
        toggled = []
        try await claimNext()
        message = ("Skipped \(card.post.id); it is back in the queue for other reviewers.", .plain)
    }

    private func undo() async throws {
        guard let labelID = undoStack.last else { return message = ("Nothing to undo in this session.", .dim) }
        let result: LabelUndo
        do {
            result = try await store.undoLabel(id: labelID, by: options.reviewer, lease: options.lease)
        } catch let error as ReviewQueueError where error.code == .invalidLabel {
            undoStack.removeLast()
            throw error
        }
        undoStack.removeLast()
        decided -= 1
        undone += 1
        if let current = card, current.item.id != result.item?.id {
            try? await store.release(itemID: current.item.id, by: options.reviewer)
        }
        let restored = result.current.map { "its label is \($0.flags.isEmpty ? "benign" : $0.flags.joined(separator: "+")) again" } ?? "it is unlabelled"
        if let item = result.item {
            skippedItems.removeAll { $0 == item.id }
            card = try await load(item)
            scroll = 0
            message = ("Undid label \(labelID) of \(result.undone.postID): \(restored). Decide again.", .unsure)
        } else {
            try await claimNext()
            message = ("Undid label \(labelID) of \(result.undone.postID): \(restored); another reviewer holds its item.", .unsure)
        }
    }

    private func claimNext() async throws {
        try await show(try await store.claimNext(for: options.reviewer, lease: options.lease, excluding: skippedItems))
    }

    /// Shows a newly claimed item (or the empty queue).
    private func show(_ item: ReviewItem?) async throws {
        card = nil
        scroll = 0
        if let item { card = try await load(item) }
    }

    private func load(_ item: ReviewItem) async throws -> ReviewCard {
        try await ReviewCard.load(item, from: store, sharedLimit: options.sharedLimit)
    }

    // MARK: - Drawing

    /// The screen as lines of terminal text: a header, a page of the card (or help), a status
    /// line and the key line. Exactly `rows` lines (fewer when `pad` is off and the card is
    /// short), none wider than `columns`.
    public func frame(columns: Int, rows: Int, pad: Bool = true) -> [String] {
        let renderer = CardRenderer(width: columns, color: options.color)
        let pageHeight = max(1, rows - 3)
        lastPageHeight = pageHeight
        var body: [StyledText]
        if showHelp {
            body = bindings.help.flatMap { renderer.wrap(StyledText($0), indent: 4) }
        } else if let card {
            body = renderer.body(card)
        } else {
            body = [StyledText(), StyledText("  No items to review right now.", .bold), StyledText("  r looks again, u undoes the last decision, q quits.")]
        }
        let pages = max(1, (body.count + pageHeight - 1) / pageHeight)
        scroll = min(scroll, max(0, body.count - pageHeight))
        let page = Array(body.dropFirst(scroll).prefix(pageHeight))

        var header = StyledText(" SmuggleWatch review ", .key)
        if pages > 1 {
            let current = scroll + pageHeight >= body.count ? pages : scroll / pageHeight + 1
            header.append("  page \(current)/\(pages)", .bold)
        }
        header.append("  \(options.reviewer)  decided \(decided)  skipped \(skipped)  undone \(undone)", .dim)
        if let item = card?.item { header.append("  item \(item.id)", .dim) }

        var status = StyledText()
        if let draft = noteDraft {
            status.append("Note: ", .bold)
            status.append(StyledText.sanitized(draft))
            status.append("▏  Enter keeps, Esc cancels", .dim)
        } else if let message {
            status.append(message.text, message.style)
        } else if let note = pendingNote {
            status.append("Note for this decision: ", .dim)
            status.append(StyledText.sanitized(note))
        }

        var keys = StyledText()
        for (k, (key, name)) in bindings.hints.enumerated() {
            if k > 0 { keys.append(" ") }
            keys.append(key, .key)
            keys.append(" \(name)")
        }

        // The body is already wrapped (with markers when colour is off); the other lines get
        // theirs here.
        func marked(_ line: StyledText) -> StyledText { options.color ? line : line.withMarkers() }
        var lines = [marked(header)]
        lines += page
        if pad { lines += Array(repeating: StyledText(), count: pageHeight - page.count) }
        lines.append(marked(status))
        lines.append(marked(keys))
        return lines.map { Layout.encode(Self.truncate($0, columns: columns), color: options.color) }
    }

    static func truncate(_ line: StyledText, columns: Int) -> StyledText {
        var out = StyledText()
        var used = 0
        for (s, style) in zip(line.scalars, line.styles) {
            let w = DisplayWidth.of(s)
            if used + w > columns { break }
            out.scalars.append(s)
            out.styles.append(style)
            used += w
        }
        return out
    }
}

/// Which keys decide what, from the store's known flags.
public struct KeyBindings: Sendable {
    public let flags: [String]
    /// Letter keys that save a decision at once: g guidance, c contact, b both (when those
    /// flags exist).
    public let letter: [Character: [String]]
    /// Flags toggled by 1…9; Enter saves the chosen set.
    public let numbered: [String]

    public init(flags: [String]) {
        self.flags = flags
        var letter: [Character: [String]] = [:]
        if flags.contains("guidance") { letter["g"] = ["guidance"] }
        if flags.contains("contact") { letter["c"] = ["contact"] }
        if flags.contains("guidance"), flags.contains("contact") { letter["b"] = ["contact", "guidance"] }
        self.letter = letter
        numbered = Array(flags.prefix(9))
    }

    var numberRange: String { numbered.count == 1 ? "1" : "1–\(numbered.count)" }

    var hints: [(String, String)] {
        var out: [(String, String)] = []
        if letter["g"] != nil { out.append(("g", "guidance")) }
        if letter["c"] != nil { out.append(("c", "contact")) }
        if letter["b"] != nil { out.append(("b", "both")) }
        if letter.isEmpty || flags.count > 2 {
            out.append((numberRange, numbered.count == 1 ? numbered[0] : "flags"))
        }
        out += [("n", "benign"), ("s", "skip"), ("u", "undo"), ("a", "note"), ("?", "help"), ("q", "quit")]
        return out
    }

    var help: [String] {
        var lines = ["", "Keys (each decision is saved at once)", ""]
        if letter["g"] != nil { lines.append("  g        guidance: teaches how to cross irregularly") }
        if letter["c"] != nil { lines.append("  c        contact: sells smuggling services or gives a contact") }
        if letter["b"] != nil { lines.append("  b        both guidance and contact") }
        for (k, flag) in numbered.enumerated() { lines.append("  \(k + 1)        choose or unchoose '\(flag)'; Enter saves the chosen flags") }
        lines += [
            "  n        benign: reviewed, no flag",
            "  s        skip: give the item back to the queue for others",
            "  u        undo your last decision in this session and decide again",
            "  a or N   add a note to the next decision (Enter keeps it, Esc cancels)",
            "  space    next page; PgUp or - previous page; ↑ ↓ j k scroll",
            "  r        reload (or look for new items when the queue was empty)",
            "  Esc      clear chosen flags and messages",
            "  ?        this help (any key closes it)",
            "  q        quit: the current item goes back to the queue",
            "",
            "Highlighting: contact identifiers and prices are marked " + "[[like this]]" + " without colour,",
            "phrases that pushed a flag <<like this>>.",
        ]
        return lines
    }
}
