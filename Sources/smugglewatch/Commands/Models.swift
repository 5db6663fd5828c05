import ArgumentParser
import Bayes
import Foundation

extension SmuggleWatch {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look at the trained models.", subcommands: [List.self, Show.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List model folders with their card: flags, size, metrics.")

            @Option(help: "Folder holding model folders.")
            var dir = "Models"

            func run() throws {
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
    
        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Load a model and print its card and how long loading took.")

            @Argument(help: "Model folder or model.swnb file.")
            var model: String

            @Option(help: "Load this many times and report the fastest.")
            var loadRuns = 1

            func run() throws {
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
