import ArgumentParser
import Bayes
import Features
import Posts

extension SmuggleWatch {
    struct Features: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the exact token counts the model sees for each post (for audits and parity checks).",
            discussion: """
                One JSON object per post: {"id", "labels", "tokens": {token: weighted count}}. Field weights come \
                from --model when given, else the defaults (every field 1.0).
                """)

        @Argument(help: "Post JSONL files ('-' or none: standard input).")
        var files: [String] = []

        @Option(name: .shortAndLong, help: "Use this model's feature settings (field weights).")
        var model: String?

        @Flag(help: "Also print contact and price evidence.")
        var evidence = false

        @OptionGroup var input: InputOptions

        func run() throws {
            var config = FeatureExtractor.Configuration()
            if let model { config = try ModelFile.load(model).configuration.features }
            var extractor = FeatureExtractor(configuration: config)
            var out = Output()
            var w = JSONWriter()
            var total = (posts: 0, skipped: 0)
            for path in InputOptions.paths(files) {
                let s = try input.reader().forEachPost(in: path) { post in
                    var sink = CollectingSink()
                    sink.collectEvidence = evidence
                    extractor.extract(post, into: &sink)
                    w.reset()
                    w.beginObject()
                    w.key("id"); w.string(post.id)
                    if let labels = post.labels { w.key("labels"); w.stringArray(labels) }
                    w.key("tokens")
                    w.beginObject()
                    for token in sink.order {
                        w.key(token); w.number(sink.counts[token]!)
                    }
                    w.endObject()
                    if evidence {
                        w.key("evidence")
                        w.beginArray()
                        for e in sink.found { e.write(to: &w) }
                        w.endArray()
                    }
                    w.endObject()
                    out.write(w)
                }
                total.posts += s.posts
                total.skipped += s.skipped
            }
            out.flush()
            InputOptions.reportSkipped(total.skipped, of: total.posts)
        }
    }
}
