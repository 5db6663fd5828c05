import ArgumentParser
import Bayes
import Features
import Foundation
import Posts

extension SmuggleWatch {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure a model on labelled posts: precision, recall and F1 per flag, confusion, PR curves.",
            discussion: """
                Prints the metrics at the model's thresholds, and the thresholds this data would choose for \
                --target-precision (saved into the model only with --save-thresholds). --report DIR writes \
                an HTML report with PR curves and confusion matrices drawn as SVG.
                """)

        @OptionGroup var modelOptions: ModelOptions

        @Option(name: .long, parsing: .upToNextOption, help: "Labelled post JSONL files.")
        var input: [String]

        @Option(help: "Write an HTML report (index.html) and metrics.json into this folder.")
        var report: String?

        @Option(help: "Precision to choose thresholds for.")
        var targetPrecision = 0.90

        @Option(help: "Share of positives to keep out of 'clear' when choosing thresholds.")
        var targetRecall = 0.98

        @Flag(help: "Store the thresholds chosen on this data in the model file.")
        var saveThresholds = false

        @Flag(help: "Print the metrics as JSON instead of text.")
        var json = false

        @OptionGroup var reading: InputOptions

        func run() throws {
            let (model, label) = try modelOptions.load()
            var examples: [ScoredExample] = []
            let result = try Evaluate.run(model: model, inputs: input, reader: reading.reader(), examples: &examples)
            var tuned = model
            tuned.chooseThresholds(from: examples, targetPrecision: targetPrecision, targetRecall: targetRecall)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(Evaluate.text(result, model: label, current: model, tuned: tuned, targetPrecision: targetPrecision))
            }
            if let dir = report {
                try ReportWriter.write(result, model: label, to: dir)
                Console.info("wrote \(dir)/index.html and \(dir)/metrics.json")
            }
            if saveThresholds {
                let path = ModelFile.modelPath(try modelOptions.resolvedPath())
                try ModelFile.write(tuned, to: path)
                Console.info("saved the chosen thresholds into \(path)")
            }
        }
    }
}

/// Scoring labelled files and summarising, shared by `eval` and `train --test`.
enum Evaluate {
    static func run(model: NaiveBayesModel, inputs: [String], reader: PostReader) throws -> EvaluationReport {
        var examples: [ScoredExample] = []
        return try run(model: model, inputs: inputs, reader: reader, examples: &examples)
    }

    static func run(
        model: NaiveBayesModel, inputs: [String], reader: PostReader, examples: inout [ScoredExample]
    ) throws -> EvaluationReport {
        let scorer = Scorer(model)
        var extractor = FeatureExtractor(configuration: model.configuration.features)
        var unlabelled = 0
        for path in InputOptions.paths(inputs) {
            let s = try reader.forEachPost(in: path) { post in
                guard let labels = post.labels else {
                    unlabelled += 1
                    return
                }
                let d = scorer.logOdds(post, extractor: &extractor)
                examples.append(ScoredExample(id: post.id, logOdds: d, labels: Set(labels), tags: post.tags))
            }
            InputOptions.reportSkipped(s.skipped, of: s.posts)
        }
        if unlabelled > 0 { Console.warn("\(unlabelled) posts without 'labels' were not evaluated") }
        guard !examples.isEmpty else {
            throw ModelError(.noTrainingData, "no labelled posts in \(inputs.joined(separator: ", ")): evaluation needs posts with a 'labels' list")
        }
        return model.evaluate(examples)
    }

    static func f(_ x: Double) -> String { String(format: "%.3f", x) }

    static func text(
        _ r: EvaluationReport, model: String, current: NaiveBayesModel, tuned: NaiveBayesModel, targetPrecision: Double
    ) -> String {
        var lines = ["model \(model) on \(r.examples) labelled posts", ""]
        lines.append("flag         precision  recall  F1     AP     TP   FP   FN   TN")
        for m in r.flags {
            let c = m.confusion
            lines.append(
                m.flag.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + " \(f(m.precision))      \(f(m.recall))   \(f(m.f1))  \(f(m.averagePrecision))  "
                    + [c.truePositives, c.falsePositives, c.falseNegatives, c.trueNegatives].map {
                        String($0).padding(toLength: 4, withPad: " ", startingAt: 0)
                    }.joined(separator: " "))
        }
        lines.append("macro-F1     \(f(r.macroF1))")
        if let h = r.hardNegativeFlagRate { lines.append("hard negatives flagged: \(String(format: "%.1f", h * 100))%") }
        lines.append("")
        lines.append("decisions (truth negative / positive):")
        for m in r.flags {
            let d = m.decisions
            lines.append("  \(m.flag): flag \(d["flag"]![0])/\(d["flag"]![1])  unsure \(d["unsure"]![0])/\(d["unsure"]![1])  clear \(d["clear"]![0])/\(d["clear"]![1])")
        }
        lines.append("")
        lines.append("thresholds (probability; log-odds)   current → chosen on this data for precision ≥ \(targetPrecision)")
        for flag in current.flags {
            let a = current.thresholds(for: flag)
            let b = tuned.thresholds(for: flag)
            lines.append(
                "  \(flag): flag at \(prob(a.flagLogOdds)) (\(f(a.flagLogOdds))) → \(prob(b.flagLogOdds)) (\(f(b.flagLogOdds))); clear below \(prob(a.clearLogOdds)) → \(prob(b.clearLogOdds))")
        }
        let tags = r.flaggedByTag.keys.sorted()
        if !tags.isEmpty {
            lines.append("")
            lines.append("flagged by tag:")
            for t in tags {
                let c = r.flaggedByTag[t]!
                lines.append("  \(t.padding(toLength: 30, withPad: " ", startingAt: 0)) \(c[1])/\(c[0])")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func prob(_ logOdds: Double) -> String {
        let p = Scorer.probability(logOdds: logOdds)
        return p > 0.9999 || p < 0.0001 ? String(format: "%.2e", p) : String(format: "%.4f", p)
    }
}
