import ArgumentParser
import Bayes
import Foundation
import Posts

/// How post files are read, shared by every command that reads posts.
struct InputOptions: ParsableArguments {
    @Flag(help: "Stop at the first bad line instead of skipping it with a warning.")
    var strict = false

    @Option(help: "Refuse lines longer than this many bytes (they are skipped, never held in memory).")
    var maxLineBytes = 4 << 20

    func reader() -> PostReader {
        PostReader(options: .init(strict: strict, maxLineBytes: maxLineBytes)) { error in
            Console.warn(error.message)
        }
    }

    /// Reports skipped lines after reading.
    static func reportSkipped(_ skipped: Int, of total: Int) {
        if skipped > 0 { Console.warn("skipped \(skipped) bad line\(skipped == 1 ? "" : "s") of \(total + skipped) (see warnings above; --strict stops at the first)") }
    }

    /// Turns positional inputs into reader paths: none means standard input.
    static func paths(_ files: [String]) -> [String?] {
        files.isEmpty ? [nil] : files.map { $0 == "-" ? nil : $0 }
    }
}

/// Which model to use.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Model folder or model.swnb file (default: $SMUGGLEWATCH_MODEL or Models/default).")
    var model: String?

    var path: String {
        model ?? ProcessInfo.processInfo.environment["SMUGGLEWATCH_MODEL"] ?? "Models/default"
    }

    func load() throws -> (model: NaiveBayesModel, name: String) {
        let model = try ModelFile.load(path)
        return (model, ModelOptions.label(for: path))
    }

    /// "default@1": the card's name and version, else the folder's name.
    static func label(for path: String) -> String {
        let folder = ModelFile.modelPath(path) == path ? (path as NSString).deletingLastPathComponent : path
        if let card = try? ModelCard.read((folder as NSString).appendingPathComponent(ModelFile.cardFileName)) {
            return "\(card.name)@\(card.version)"
        }
        return ((folder as NSString).lastPathComponent) + "@0"
    }
}
