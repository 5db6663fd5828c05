import ArgumentParser
import Foundation
import ReviewQueue
import ReviewTerminal

extension SmuggleWatch {
    /// `smugglewatch review`: interactive labelling in the terminal (works inside tmux).
    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Review queued posts interactively in the terminal, with highlighted evidence.",
            discussion: """
                Shows the next claimed item — platform, URL, title, description, hashtags, caption cues
                with their times — with contact identifiers and the phrases that drove each flag
                highlighted, the model's scores and decisions, and other posts that share a contact
                identifier. Keys: g guidance, c contact, b both, n benign (1–9 choose other flags, Enter
                saves), s skip, u undo, a note, ? help, q quit. Each decision is saved at once.
                Needs a terminal; scripts use `smugglewatch label`. See docs/review.md.
                """)

        @OptionGroup var reviewer: ReviewerOption
        @OptionGroup var store: StoreOptions

        @Option(help: "How long a claimed item stays yours before it returns to the queue (e.g. 15m, 1h).")
        var lease: DurationArgument = DurationArgument(.seconds(15 * 60))

        @Flag(help: "No colours: evidence is marked [[like this]] and <<like this>> (also with $NO_COLOR or TERM=dumb).")
        var noColor = false

        @Option(help: "At most this many other posts sharing a contact identifier are shown.")
        var sharedLimit = 8

        func validate() throws {
            guard sharedLimit >= 0 else { throw ValidationError("--shared-limit must be 0 or more.") }
        }

        func run() async throws {
            guard Terminal.isTerminal(0), Terminal.isTerminal(1) else {
                Console.error(
                    "Error: `smugglewatch review` is interactive and needs a terminal on standard input and output. From scripts, use `smugglewatch label ID --set guidance,contact | --benign` (and `smugglewatch queue claim|release`).\n"
                )
                throw ExitCode(2)
            }
            let environment = ProcessInfo.processInfo.environment
            let term = environment["TERM"] ?? ""
            let dumb = term.isEmpty || term == "dumb"
            let color = !noColor && !dumb && (environment["NO_COLOR"] ?? "").isEmpty
            let who = reviewer.resolved
            try await store.withStore { store in
                let flags = try await store.knownFlags()
                let session = ReviewSession(
                    store: store, flags: flags.isEmpty ? ["contact", "guidance"] : flags,
                    options: .init(reviewer: who, lease: lease.duration, color: color, sharedLimit: sharedLimit))
                let terminal = Terminal()
                do {
                    try terminal.enterRawMode(fullScreen: !dumb)
                } catch {
                    Console.error("Error: \(error)\n")
                    throw ExitCode(1)
                }
                defer { terminal.restore() }
                try await session.start()
                let loop = ReviewLoop(session: session, terminal: terminal, fullScreen: !dumb)
                await loop.run()
                terminal.restore()
                print(session.summary)
            }
        }
    }
}

/// Reads keys, hands them to the session, and redraws.
struct ReviewLoop {
    let session: ReviewSession
    let terminal: Terminal
    let fullScreen: Bool

    func run() async {
        draw()
        while !session.isFinished {
            guard let bytes = terminal.readBytes() else {
                await session.finish()  // end of input
                break
            }
            for key in Key.decode(bytes) {
                await session.handle(key)
                if session.isFinished { break }
            }
            if !session.isFinished { draw() }
        }
    }

    func draw() {
        let (columns, rows) = terminal.size()
        // Without cursor control (TERM=dumb) the whole card is printed each time: no paging.
        let lines = session.frame(columns: columns, rows: fullScreen ? rows : 100_000, pad: fullScreen)
        if fullScreen {
            // Home, each line cleared to its end; raw mode needs CR LF.
            terminal.write("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J")
        } else {
            let rule = String(repeating: "-", count: min(columns, 80))
            terminal.write(rule + "\r\n" + lines.joined(separator: "\r\n") + "\r\n")
        }
    }
}
