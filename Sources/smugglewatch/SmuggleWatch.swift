import ArgumentParser
import Foundation

@main
struct SmuggleWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smugglewatch",
        abstract: "Find posts that teach irregular border crossing or sell smuggling services, for human review.",
        subcommands: [Fetch.self, Import.self, Classify.self, Features.self, Train.self, Eval.self, Models.self]
    )

    /// Runs the command; usage errors exit with 2 (DESIGN.md), runtime failures with 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
