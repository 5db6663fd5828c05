import ArgumentParser
import Crawl
import Foundation
import ReviewQueue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SmuggleWatch {
    struct Crawl: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The scheduled crawl: fetch every due source, classify new and changed posts, queue them for review.",
            discussion: """
            Reads the sources file (TOML: one [[source]] table per source with kind, url or path, every, rate_limit, \
            cookies, proxy, tags; see docs/crawl.md). Each due source is leased to this worker, fetched (conditional GET: \
            a 304 counts as unchanged), its new and changed posts are classified with the model, stored with the \
            prediction and its evidence, and flagged, unsure and sampled posts are queued. A source that fails is \
            retried later with exponential backoff; the others go on. Prints per-source and total stats.
            With --once (for cron and systemd timers) it runs the due sources once and exits: status 1 only when every \
            source it tried failed. With --every it runs a round at that interval until stopped.
            Several workers may share one PostgreSQL store (--db postgres://…): each source is crawled by one worker at \
            a time, and a dead worker's lease expires.
            """)

        @Option(help: "The sources file (default: sources.toml if present, else Fixtures/demo/sources.toml).")
        var sources: String?

        @Flag(help: "Run every due source once and exit (for cron and systemd timers).")
        var once = false

        @Option(help: "Keep running: a round every interval (90s, 15m, 1h).")
        var every: DurationArgument?

        @Flag(help: "Crawl every enabled source now, due or not.")
        var all = false

        @Option(help: "Share of clear posts queued anyway, so reviewers can measure what the model misses.")
        var clearSample = 0.02

        @Option(help: "This worker's name in source leases (default: host:pid:random).")
        var worker: String?

        @Option(help: "How long a source stays leased to this worker without renewal.")
        var lease: DurationArgument = DurationArgument(.seconds(600))

        @Option(help: "Posts per store transaction.")
        var batchSize = 500

        @Option(help: "The User-Agent header (its first word is matched against robots.txt).")
        var userAgent: String?

        @Flag(help: "Fetch even where robots.txt disallows it.")
        var ignoreRobots = false

        @Flag(help: "Print the stats as JSON lines (one per source, then the total).")
        var json = false

        @Option(help: .hidden)
        var testingKillAfterPosts: Int?

        @Option(help: .hidden)
        var testingStoreRetryDelay: DurationArgument?

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if once && every != nil { throw ValidationError("Give either --once or --every, not both.") }
            if !once && every == nil { throw ValidationError("Give --once (run the due sources and exit) or --every INTERVAL (keep running).") }
            if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
            if !(0...1).contains(clearSample) { throw ValidationError("--clear-sample must be between 0 and 1.") }
        }

        var sourcesPath: String {
            if let sources { return sources }
            return FileManager.default.fileExists(atPath: "sources.toml") ? "sources.toml" : "Fixtures/demo/sources.toml"
        }

        func run() async throws {
            let file: SourcesFile
            do {
                file = try SourcesFile.load(sourcesPath)
            } catch {
                // A bad sources file is a usage error (exit 2), named by file, line and key.
                throw ValidationError("\(error)")
            }
            if file.sources.isEmpty {
                throw ValidationError("\(file.path) has no [[source]] tables; add one (see Fixtures/demo/sources.toml).")
            }
            let (model, label) = try modelOptions.load()
            var configuration = Crawler.Configuration(worker: worker ?? Crawler.defaultWorkerName())
            configuration.lease = lease.duration
            configuration.batchSize = batchSize
            configuration.ignoreSchedule = all
            configuration.clearSampleRate = clearSample
            configuration.userAgent = userAgent
            configuration.obeysRobotsTxt = !ignoreRobots
            configuration.killAfterPosts = testingKillAfterPosts
            if let d = testingStoreRetryDelay { configuration.storeRetryDelay = d.duration }
            configuration.onStoreRetry = { what, attempt, attempts, delay, error in
                Console.warn("the store failed while \(what) (attempt \(attempt) of \(attempts)): \(error.message) Retrying in \(delay).")
            }
            configuration.onSourceDone = { report in
                if case .failed(let message) = report.status {
                    Console.error("Error: source '\(report.source)' failed: \(message) It is retried with backoff (next \(report.nextDueAt?.ISO8601Format() ?? "run")).\n")
                }
                for e in report.errors.prefix(20) where report.status.attempted {
                    if case .failed = report.status { break }
                    Console.warn("source '\(report.source)': \(e)")
                }
                if report.errors.count > 20 { Console.warn("source '\(report.source)': \(report.errors.count - 20) more errors") }
            }
            let json = self.json
            let store = try await openStore(retryDelay: configuration.storeRetryDelay, attempts: configuration.storeAttempts)
            let crawler = Crawler(store: store, model: model, modelLabel: label, configuration: configuration)
            if once {
                let report = try await crawler.run(file.sources)
                emit(json ? report.jsonLines() : report.table())
                await store.close()
                if report.everySourceFailed { throw ExitCode.failure }
                return
            }
            let interval = every!.duration
            while true {
                let started = ContinuousClock.now
                do {
                    let report = try await crawler.run(file.sources)
                    if !json { emit("== crawl round at \(report.startedAt.ISO8601Format())\n") }
                    emit(json ? report.jsonLines() : report.table())
                } catch let error as CrawlError {
                    Console.error("Error: \(error.message)\n")
                }
                let elapsed = ContinuousClock.now - started
                if elapsed < interval { try await Task.sleep(for: interval - elapsed) }
            }
        }

        /// Writes to standard output at once (unbuffered, so rounds of --every show up as they end).
        func emit(_ text: String) {
            var text = text
            text.withUTF8 { Console.writeAll(1, UnsafeRawBufferPointer($0)) }
        }

        /// Opens the store, retrying while it is unreachable or locked.
        func openStore(retryDelay: Duration, attempts: Int) async throws -> any ReviewQueueStore {
            var delay = retryDelay
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try await storeOptions.open()
                } catch let error as ReviewQueueError where error.code == .connectionFailed || error.code == .databaseLocked {
                    guard attempt < attempts else {
                        throw CrawlError("Gave up opening the store after \(attempt) attempts: \(error.message)", cause: error)
                    }
                    Console.warn("the store is unreachable (attempt \(attempt) of \(attempts)); retrying in \(delay)")
                    try await Task.sleep(for: delay)
                    delay = delay * 2
                }
            }
        }
    }
}
