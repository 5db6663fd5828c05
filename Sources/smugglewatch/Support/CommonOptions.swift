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
    @Option(
        name: .shortAndLong,
        help: "Model folder or model.swnb file (default: $SMUGGLEWATCH_MODEL, else the registry's current version, else Models/default).")
    var model: String?

    @OptionGroup var registry: RegistryOptions

    /// `--model`, else `$SMUGGLEWATCH_MODEL`, else the registry's current version, else
    /// `Models/default`.
    func resolvedPath() throws -> String {
        if let model, !model.isEmpty { return model }
        if let env = ProcessInfo.processInfo.environment["SMUGGLEWATCH_MODEL"], !env.isEmpty { return env }
        if let current = try registry.registry().currentFolder() { return current }
        return RegistryOptions.bundledModel
    }

    func load() throws -> (model: NaiveBayesModel, name: String) {
        let path = try resolvedPath()
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

/// `--models-dir`: where the model registry lives.
struct RegistryOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The model registry folder (default: $SMUGGLEWATCH_MODELS, else .smugglewatch/models).", valueName: "dir"))
    var modelsDir: String?

    /// The bundled model the registry is seeded from, and the fallback when it has no current version.
    static let bundledModel = "Models/default"

    func registry() -> ModelRegistry {
        ModelRegistry(root: ModelRegistry.resolve(modelsDir))
    }

    /// The registry, seeded from the bundled model as `default@1` when it is empty.
    func seededRegistry(actor: String) throws -> ModelRegistry {
        let r = registry()
        if let v = try r.seedIfEmpty(from: Self.bundledModel, actor: actor) {
            Console.info("seeded the model registry '\(r.root)' with \(v) from \(Self.bundledModel)")
        }
        return r
    }
}
