import ArgumentParser
import Bayes
import Foundation
import ReviewQueue

extension SmuggleWatch {
    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The model registry: list, show, promote, roll back.",
            subcommands: [List.self, Show.self, Promote.self, Rollback.self, History.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the registry's model versions with their held-out metrics; '*' marks the current one.",
                discussion: """
                    The registry (--models-dir, $SMUGGLEWATCH_MODELS, else .smugglewatch/models) is seeded with \
                    Models/default as default@1 when empty. --dir lists a plain folder of model folders instead.
                    """)

            @Option(help: "List this folder of model folders instead of the registry.")
            var dir: String?

            @OptionGroup var registryOptions: RegistryOptions

            func run() throws {
                if let dir { return try listFolder(dir) }
                let registry = try registryOptions.seededRegistry(actor: ReviewerOption.resolve(nil, environment: ProcessInfo.processInfo.environment))
                let current = try registry.state().current
                let versions = try registry.versions()
                if versions.isEmpty { Console.info("no models in '\(registry.root)' (and no \(RegistryOptions.bundledModel) to seed it from)") }
                for v in versions.reversed() {
                    var row = (v == current ? "* " : "  ") + v.description.padding(toLength: 12, withPad: " ", startingAt: 0)
                    guard let card = registry.card(for: v) else {
                        print(row + "  unreadable card in \(registry.folder(for: v))")
                        continue
                    }
                    row += "  flags \(card.flags.joined(separator: ","))  \(card.trainingPosts) posts"
                    if let r = card.reviewedPosts { row += " (\(r) reviewed)" }
                    if let h = card.heldOut {
                        row += "  held-out \(h.posts): macro-F1 \(String(format: "%.3f", h.macroF1))"
                        for flag in card.flags {
                            if let p = h.precision[flag], let r = h.recall[flag] {
                                row += "  \(flag) P \(String(format: "%.3f", p)) R \(String(format: "%.3f", r))"
                            }
                        }
                    }
                    if let from = card.refreshedFrom { row += "  refreshed from \(from)" }
                    row += "  \(card.created)"
                    print(row)
                }
            }

            func listFolder(_ dir: String) throws {
                let fm = FileManager.default
                guard let entries = try? fm.contentsOfDirectory(atPath: dir) else {
                    throw ValidationError("no models folder at '\(dir)': train one with 'smugglewatch train --input F --out \(dir)/NAME' or pass --dir.")
                }
                var rows: [String] = []
                for name in entries.sorted() {
                    let folder = (dir as NSString).appendingPathComponent(name)
                    let cardPath = (folder as NSString).appendingPathComponent(ModelFile.cardFileName)
                    guard fm.fileExists(atPath: cardPath) else { continue }
                    do {
                        let card = try ModelCard.read(cardPath)
                        var row = "\(card.name)@\(card.version)  \(folder)  flags: \(card.flags.joined(separator: ","))  features: \(card.vocabularySize)  trained on \(card.trainingPosts) posts  \(card.created)"
                        if let h = card.heldOut { row += "  held-out macro-F1 \(String(format: "%.3f", h.macroF1))" }
                        rows.append(row)
                    } catch {
                        rows.append("\(name)  \(folder)  unreadable card: \(error)")
                    }
                }
                if rows.isEmpty { Console.info("no models in '\(dir)'") }
                for r in rows { print(r) }
            }
        }

        struct Promote: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a registry version current (NAME@N); 'rollback' undoes it.",
                discussion: """
                    Recorded in the registry's history.jsonl and, with --db (or $SMUGGLEWATCH_DB), registered in the \
                    review store. This skips the retrain gates: 'smugglewatch retrain --promote' checks them.
                    """)

            @Argument(help: "The version, e.g. default@3.")
            var version: String

            @Option(help: "Why, for the history.")
            var note: String?

            @OptionGroup var registryOptions: RegistryOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var actor: ActorOption

            func validate() throws {
                guard ModelVersion(version) != nil else {
                    throw ValidationError("'\(version)' is not a model version: write NAME@N, e.g. default@2 (see 'smugglewatch models list').")
                }
            }

            func run() async throws {
                let registry = try registryOptions.seededRegistry(actor: actor.resolved)
                let v = ModelVersion(version)!
                let previous = try registry.promote(v, actor: actor.resolved, note: note)
                try await ModelEvents.register(v, in: registry, store: store)
                print("promoted \(v) (was \(previous?.description ?? "none")); predictions now record \(v)")
            }
        }

        struct Rollback: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make the previously current version current again; run it again to go further back.")

            @Option(help: "Why, for the history.")
            var note: String?

            @OptionGroup var registryOptions: RegistryOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var actor: ActorOption

            func run() async throws {
                let registry = try registryOptions.seededRegistry(actor: actor.resolved)
                let (from, to) = try registry.rollback(actor: actor.resolved, note: note)
                try await ModelEvents.register(to, in: registry, store: store)
                print("rolled back from \(from) to \(to); predictions now record \(to)")
            }
        }

        struct History: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the registry's history: seeds, saves, promotions, rollbacks.")

            @OptionGroup var registryOptions: RegistryOptions

            func run() throws {
                let registry = registryOptions.registry()
                for e in try registry.history() {
                    var row = "\(ISO8601DateFormatter().string(from: e.at))  \(e.action.padding(toLength: 8, withPad: " ", startingAt: 0))  \(e.version)"
                    if let p = e.previous { row += " (was \(p))" }
                    row += "  by \(e.actor)"
                    if let n = e.note { row += "  \(n)" }
                    print(row)
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Load a model and print its card and how long loading took.")

            @Argument(help: "Model folder, model.swnb file, or a registry version such as default@2.")
            var model: String

            @Option(help: "Load this many times and report the fastest.")
            var loadRuns = 1

            @OptionGroup var registryOptions: RegistryOptions

            func run() throws {
                var model = self.model
                if !FileManager.default.fileExists(atPath: model), let v = ModelVersion(model) {
                    model = registryOptions.registry().folder(for: v)
                }
                var best = Duration.seconds(1_000_000)
                var loaded: NaiveBayesModel?
                for _ in 0..<max(1, loadRuns) {
                    let clock = ContinuousClock()
                    let elapsed = try clock.measure { loaded = try ModelFile.load(model) }
                    best = min(best, elapsed)
                }
                let m = loaded!
                let folder = ModelFile.modelPath(model) == model ? (model as NSString).deletingLastPathComponent : model
                let cardPath = (folder as NSString).appendingPathComponent(ModelFile.cardFileName)
                if let text = try? String(contentsOfFile: cardPath, encoding: .utf8) { print(text) }
                Console.info(
                    "loaded \(ModelFile.modelPath(model)): \(m.vocabulary.count) features, flags \(m.flags.joined(separator: ", ")), in \(String(format: "%.1f", best.seconds * 1000)) ms")
            }
        }
    }
}

/// `--actor`, else `SMUGGLEWATCH_REVIEWER`, else the OS user: who changed the registry.
struct ActorOption: ParsableArguments {
    @Option(help: "Who is changing the registry (default: $SMUGGLEWATCH_REVIEWER, else the OS user).")
    var actor: String?

    var resolved: String { ReviewerOption.resolve(actor, environment: ProcessInfo.processInfo.environment) }
}

/// Registry changes that the review store hears about.
enum ModelEvents {
    /// Registers `version` with its flags in the store named by --db or $SMUGGLEWATCH_DB (nothing
    /// when neither is given), so the store's audit log shows the promotion.
    static func register(_ version: ModelVersion, in registry: ModelRegistry, store: StoreOptions) async throws {
        let env = ProcessInfo.processInfo.environment[ReviewQueueStores.environmentVariable]
        guard store.db != nil || (env.map { !$0.isEmpty } ?? false) else { return }
        let flags = registry.card(for: version)?.flags ?? []
        try await store.withStore { s in try await s.registerModel(version: version.description, flags: flags) }
    }
}
