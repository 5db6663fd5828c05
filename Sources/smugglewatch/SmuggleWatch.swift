import ArgumentParser

@main
struct SmuggleWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smugglewatch",
        abstract: "Find posts that teach irregular border crossing or sell smuggling services, for human review.",
        subcommands: [Classify.self, Features.self, Train.self, Eval.self, Models.self]
    )
}
