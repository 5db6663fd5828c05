import ArgumentParser
import Bayes
import Crawl
import Fetchers
import Foundation
import Posts
import ReviewQueue

extension SmuggleWatch {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn yt-dlp output folders or post JSONL into posts; with --queue, store, classify and queue them.",
            discussion: """
            Each PATH is a folder (every *.info.json under it, with the caption files yt-dlp wrote beside it: \
            manual tracks as `es`, automatic ones as `es.auto`), a single *.info.json, or a *.jsonl of posts. \
            A broken file is reported on stderr and the import goes on; the exit status is then 1.
            Without --queue the posts are printed as JSONL. With --queue each post is stored; new and changed \
            posts are classified with the model, the prediction and its evidence are stored, and flagged, \
            unsure and a sample of clear posts are queued for review (re-importing queues nothing twice).
            """)

        @Argument(help: "yt-dlp folders, *.info.json files or post *.jsonl files.")
        var paths: [String]

        @Flag(help: "Store, classify and queue the posts instead of printing them.")
        var queue = false

        @Option(help: "Share of clear posts queued anyway, so reviewers can measure what the model misses.")
        var clearSample = 0.02

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if paths.isEmpty { throw ValidationError("Give at least one path.") }
        }

        func run() async throws {
            var posts: [Post] = []
            let failures = collect { posts.append($0) }
            if queue {
                let (model, label) = try modelOptions.load()
                let stats = try await storeOptions.withStore { store in
                    var router = PostRouter(store: store, model: model, modelLabel: label, clearSampleRate: clearSample)
                    var start = 0
                    while start < posts.count {
                        let end = min(start + 500, posts.count)
                        try await router.route(Array(posts[start..<end]), actor: "import")
                        start = end
                    }
                    return router.stats
                }
                printError("\(stats.summary) (store: \(storeOptions.db ?? ProcessInfo.processInfo.environment["SMUGGLEWATCH_DB"] ?? ".smugglewatch/smugglewatch.sqlite"))", prefix: "Import")
            } else {
                var out = PostOutput()
                for post in posts { out.write(post) }
                out.flush()
            }
            if failures > 0 { throw ExitCode.failure }
        }

        /// Reads every path, handing each post to `body`; returns how many paths failed.
        func collect(_ body: (Post) -> Void) -> Int {
            var failures = 0
            let reader = PostReader(warn: { printError($0.message, prefix: "Warning") })
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    printError("'\(path)' does not exist. Check the path.")
                    failures += 1
                    continue
                }
                if isDirectory.boolValue || path.hasSuffix(".info.json") {
                    let files = isDirectory.boolValue ? YtDlp.infoJSONFiles(under: path) : [path]
                    if files.isEmpty { printError("No *.info.json under '\(path)'. Run yt-dlp with --write-info-json.", prefix: "Warning") }
                    for f in files {
                        do {
                            body(try YtDlp.post(infoJSONPath: f) { printError("\($0)", prefix: "Warning") })
                        } catch {
                            printError(error.message)
                            failures += 1
                        }
                    }
                } else {
                    do {
                        try reader.forEachPost(in: path) { body($0) }
                    } catch {
                        printError("\(error)")
                        failures += 1
                    }
                }
            }
            return failures
        }
    }
}
