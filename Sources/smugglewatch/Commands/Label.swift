import ArgumentParser
import Foundation
import ReviewQueue

extension SmuggleWatch {
    /// `smugglewatch label ID --set guidance,contact | --benign [--note TEXT]`: label from scripts.
    struct Label: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a review decision for one post (non-interactive).",
            discussion: """
                Labels are append-only: a new label for the same post becomes its current label, and
                the earlier ones stay in the history and the audit log. The post's open queue item is
                marked decided.
                """)

        @Argument(help: "The post id, e.g. youtube:abc123.")
        var id: String

        @Option(name: .customLong("set"), help: "Comma-separated flags, e.g. guidance,contact.")
        var flags: String?

        @Flag(help: "Reviewed and benign: no flags.")
        var benign = false

        @Option(help: "A note for the audit trail.")
        var note: String?

        @OptionGroup var reviewer: ReviewerOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            switch (flags, benign) {
            case (nil, false): throw ValidationError("Pass --set FLAGS (e.g. --set guidance,contact) or --benign.")
            case (.some, true): throw ValidationError("Pass either --set or --benign, not both.")
            case (.some(let list), false) where parsedFlags(list).isEmpty:
                throw ValidationError("--set needs at least one flag name; use --benign for none.")
            default: break
            }
        }

        func parsedFlags(_ list: String) -> [String] {
            list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        func run() async throws {
            let flags = benign ? [] : parsedFlags(self.flags ?? "")
            let who = reviewer.resolved
            let label = try await store.withStore { store in
                try await store.addLabel(postID: id, flags: flags, reviewer: who, note: note)
            }
            let what = label.flags.isEmpty ? "benign" : label.flags.joined(separator: ", ")
            print("Labelled \(label.postID) as \(what) (label \(label.id), reviewer \(label.reviewer)).")
        }
    }
}
