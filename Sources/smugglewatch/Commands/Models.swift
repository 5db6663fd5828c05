import ArgumentParser
import Bayes
import Foundation

extension SmuggleWatch {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look at the trained models.", subcommands: [List.self], defaultSubcommand: List.self)

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
    }
}
