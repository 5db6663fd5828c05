import ArgumentParser
import Bayes
import Features
import Foundation
import Posts

extension SmuggleWatch {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model from labelled post JSONL.",
            discussion: """
                Flags are the label names found in the data. Thresholds are chosen by cross-validation on the \
                training files (--folds), for --target-precision. Writes DIR/model.swnb and DIR/card.json.
                Example: smugglewatch train --input Fixtures/corpus/train.jsonl --test Fixtures/corpus/test.jsonl --out Models/default
                """)

        @Option(name: .long, parsing: .upToNextOption, help: "Labelled post JSONL files ('-' for standard input).")
        var input: [String]

        @Option(help: "Model folder to write.")
        var out: String

        @Option(help: "Held-out labelled posts to evaluate on; the metrics go into the model card.")
        var test: [String] = []

        @Option(help: "Model name in predictions (default: the folder name).")
        var name: String?

        @Option(help: "Model version in predictions.")
        var version = 1

        @Option(help: "Lidstone smoothing added to every feature count.")
        var alpha = 1.0

        @Flag(help: "Complement naive Bayes instead of multinomial.")
        var complement = false

        @Flag(help: "Uniform class priors instead of learned ones.")
        var uniformPrior = false

        @Option(help: "Cross-validation folds for choosing thresholds (0: keep defaults).")
        var folds = 5

        @Option(help: "Precision the flag threshold aims for.")
        var targetPrecision = 0.90

        @Option(help: "Share of positives kept out of 'clear'.")
        var targetRecall = 0.98

        @Flag(help: "Count each token once per post instead of once per occurrence.")
        var binary = false

        @Option(help: "Field weights, e.g. title=2,captions=0.5.")
        var fieldWeights: String?

        @Option(
            help: """
                Threads that read and learn posts (default: one per core, at most 8). The model is \
                the same whatever the count; with field weights that are not multiples of 1/1024 \
                (e.g. 0.3) training uses one thread, which keeps it so.
                """)
        var threads: Int?

        @OptionGroup var reading: InputOptions

        func validate() throws {
            if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be between 1 and 64 (got \(threads)).") }
            guard alpha > 0 else { throw ValidationError("--alpha must be greater than 0 (got \(alpha)).") }
            guard folds == 0 || folds >= 2 else { throw ValidationError("--folds must be 0 or at least 2.") }
            guard (0...1).contains(targetPrecision), (0...1).contains(targetRecall) else {
                throw ValidationError("--target-precision and --target-recall are shares between 0 and 1.")
            }
            if let fieldWeights { _ = try Self.parseWeights(fieldWeights) }
        }

        static func parseWeights(_ text: String) throws -> [String: Double] {
            var out: [String: Double] = [:]
            for part in text.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, let v = Double(kv[1]), v >= 0,
                    ["title", "description", "hashtags", "captions"].contains(String(kv[0]))
                else {
                    throw ValidationError("--field-weights: '\(part)' is not FIELD=WEIGHT with FIELD one of title, description, hashtags, captions.")
                }
                out[String(kv[0])] = v
            }
            return out
        }

        func run() throws {
            var training = Training()
            training.configuration = .init(kind: complement ? .complement : .multinomial, alpha: alpha, fitPrior: !uniformPrior)
            if let fieldWeights {
                let w = try Self.parseWeights(fieldWeights)
                training.configuration.features.titleWeight = w["title"] ?? 1
                training.configuration.features.descriptionWeight = w["description"] ?? 1
                training.configuration.features.hashtagWeight = w["hashtags"] ?? 1
                training.configuration.features.captionWeight = w["captions"] ?? 1
            }
            training.configuration.features.binary = binary
            training.folds = folds
            training.targetPrecision = targetPrecision
            training.targetRecall = targetRecall
            training.reader = reading.reader()
            training.threads = threads ?? min(ProcessInfo.processInfo.activeProcessorCount, 8)
            let started = ContinuousClock.now
            let (model, summary) = try training.train(inputs: InputOptions.paths(input)) { n in
                Console.progress("learned \(n) posts…")
            }
            Console.endProgress()
            let seconds = (ContinuousClock.now - started).seconds
            InputOptions.reportSkipped(summary.skipped, of: summary.posts)
            var heldOut: ModelCard.Metrics?
            if !test.isEmpty {
                let report = try Evaluate.run(model: model, inputs: test, reader: reading.reader())
                heldOut = ModelCard.Metrics(source: test.joined(separator: ", "), report: report)
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try ModelFile.write(model, to: (out as NSString).appendingPathComponent(ModelFile.modelFileName))
            let card = ModelCard(
                name: name ?? (out as NSString).lastPathComponent, version: version, model: model, files: input,
                summary: summary, heldOut: heldOut)
            try card.write(to: (out as NSString).appendingPathComponent(ModelFile.cardFileName))
            Console.info(
                "trained \(card.name)@\(card.version) on \(summary.posts) posts (\(summary.unlabelled) unlabelled skipped) in \(String(format: "%.2f", seconds)) s: flags \(model.flags.joined(separator: ", ")), \(model.vocabulary.count) features")
            if let cv = card.crossValidation { Console.info("  cross-validation: " + Self.describe(cv)) }
            if let h = card.heldOut { Console.info("  held-out test:    " + Self.describe(h)) }
            Console.info("wrote \(out)/\(ModelFile.modelFileName) and \(out)/\(ModelFile.cardFileName)")
        }

        static func describe(_ m: ModelCard.Metrics) -> String {
            var parts = ["macro-F1 \(String(format: "%.3f", m.macroF1))"]
            for flag in m.f1.keys.sorted() {
                parts.append("\(flag) P \(String(format: "%.3f", m.precision[flag]!)) R \(String(format: "%.3f", m.recall[flag]!)) F1 \(String(format: "%.3f", m.f1[flag]!))")
            }
            if let h = m.hardNegativesFlagged { parts.append("hard negatives flagged \(String(format: "%.1f", h * 100))%") }
            return parts.joined(separator: "; ")
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
