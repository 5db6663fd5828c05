import ArgumentParser
import Foundation

@main
struct SmuggleWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smugglewatch",
        abstract: "Find posts that teach irregular border crossing or sell smuggling services, for human review.",
        subcommands: [
            Crawl.self, Fetch.self, Import.self, Classify.self, Features.self, Train.self, Eval.self, Models.self, Retrain.self, Label.self,
            Review.self, Queue.self,
        ]
    )

    /// Runs the command; usage errors exit with 2 (DESIGN.md), runtime failures with 1.
    /// Async because the store commands (label, queue) are `AsyncParsableCommand`s.
    static func main() async {
        do {
            if var command = parseAlone() {
                try command.run()
                return
            }
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// `classify` and `train`, the commands run over big inputs, parsed on their own. Parsing
    /// through the root builds every subcommand's arguments, and each type ArgumentParser casts
    /// there makes the Swift runtime scan all the conformance records in the binary (GRDB, NIO,
    /// BoringSSL…): ~60 M instructions, 40 % of a one-post `train`, ~5 % of a 30 MB one. A command
    /// line that does not parse cleanly alone (help, a usage error) goes through the root, for the
    /// usual messages.
    static func parseAlone() -> (any ParsableCommand)? {
        let arguments = CommandLine.arguments.dropFirst()
        let rest = Array(arguments.dropFirst())
        switch arguments.first {
        case "classify": return try? Classify.parse(rest)
        case "train": return try? Train.parse(rest)
        default: return nil
        }
    }
}
