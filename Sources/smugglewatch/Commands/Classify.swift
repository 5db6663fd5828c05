import ArgumentParser
import Bayes
import Features
import Posts

extension SmuggleWatch {
    struct Classify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score posts: JSONL posts in, one score line per post out.",
            discussion: """
                Each line: {"id", "model", "scores": {flag: probability}, "decision": {flag: flag|unsure|clear}}; \
                --explain adds "evidence": the phrases that pushed each flag (with field, caption cue, time and \
                range) and every contact identifier and price found.
                """)

        @Argument(help: "Post JSONL files ('-' or none: standard input).")
        var files: [String] = []

        @OptionGroup var modelOptions: ModelOptions

        @Flag(help: "Add evidence to each score line.")
        var explain = false

        @Option(help: "Phrases to show per flag with --explain.")
        var top = 5

        @Flag(help: "Add full-precision log-probabilities per flag (parity checks).")
        var logProba = false

        @OptionGroup var input: InputOptions

        func run() throws {
            let (model, label) = try modelOptions.load()
            let scorer = Scorer(model)
            var extractor = FeatureExtractor(configuration: model.configuration.features)
            var out = Output()
            var w = JSONWriter()
            let lineWriter = ScoreLineWriter(model: model, label: label)
            var total = (posts: 0, skipped: 0)
            for path in InputOptions.paths(files) {
                let reader = input.reader()
                let s: PostReader.Summary
                if explain {
                    s = try reader.forEachPost(in: path) { post in
                        let score = scorer.explain(post, model: model, extractor: &extractor, top: top)
                        w.reset()
                        score.write(to: &w, model: label, flags: model.flags, logProbabilities: logProba)
                        out.write(w)
                        total.posts += 1
                        if total.posts % 50_000 == 0 { Console.progress("scored \(total.posts) posts…") }
                    }
                } else if !logProba {
                    // The fast path: text bytes straight from the line, no Post per line, score
                    // lines written from parts built once.
                    s = try reader.forEachPostText(in: path, readingLabels: false) { post in
                        let d = scorer.logOdds(post, extractor: &extractor)
                        out.writeLine { lineWriter.write(id: post.id, logOdds: d, to: &$0) }
                        total.posts += 1
                        if total.posts % 50_000 == 0 { Console.progress("scored \(total.posts) posts…") }
                    }
                } else {
                    s = try reader.forEachPostText(in: path, readingLabels: false) { post in
                        let d = scorer.logOdds(post, extractor: &extractor)
                        let score = PostScore(
                            id: post.id, logOdds: d,
                            decisions: model.flags.enumerated().map { model.decision(for: $1, logOdds: d[$0]) }, evidence: [])
                        w.reset()
                        score.write(to: &w, model: label, flags: model.flags, logProbabilities: logProba)
                        out.write(w)
                        total.posts += 1
                        if total.posts % 50_000 == 0 { Console.progress("scored \(total.posts) posts…") }
                    }
                }
                total.skipped += s.skipped
            }
            out.flush()
            Console.endProgress()
            InputOptions.reportSkipped(total.skipped, of: total.posts)
        }
    }
}
