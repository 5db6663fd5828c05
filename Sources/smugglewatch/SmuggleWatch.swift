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
}
