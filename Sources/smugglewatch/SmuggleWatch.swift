import ArgumentParser

@main
struct SmuggleWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smugglewatch",
        abstract: "Find posts that teach irregular border crossing or sell smuggling services, for human review.",
        subcommands: []
    )
}
