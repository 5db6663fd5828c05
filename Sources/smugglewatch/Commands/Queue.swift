import ArgumentParser
import Foundation
import Posts
import ReviewQueue

extension SmuggleWatch {
    /// `smugglewatch queue list|stats|export|add|claim|release`.
    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look into the review queue, export labelled posts, or queue posts by hand.",
            subcommands: [List.self, Stats.self, Export.self, Add.self, Claim.self, Release.self],
            defaultSubcommand: Stats.self)
    }
}

extension SmuggleWatch.Queue {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List queue items, highest priority first.")

        enum StateFilter: String, ExpressibleByArgument, CaseIterable {
            case pending, claimed, decided, all
        }

        @Option(help: "Which items: pending, claimed, decided or all.")
        var state: StateFilter = .pending

        @Option(help: "At most this many items.")
        var limit = 50

        @Flag(help: "One JSON object per line instead of a table.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let items = try await store.withStore { store in
                try await store.items(in: state == .all ? nil : state.rawValue, limit: max(limit, 0))
            }
            if json {
                for item in items { print(item.jsonLine) }
                return
            }
            if items.isEmpty {
                print("No \(state == .all ? "" : state.rawValue + " ")items.")
                return
            }
            print(pad("ITEM", 7) + pad("STATE", 9) + pad("PRIORITY", 10) + pad("REASON", 24) + pad("WHO", 14) + "POST")
            for item in items {
                let who: String =
                    switch item.state {
                    case .pending: "-"
                    case .claimed(let by, _, _): by
                    case .decided(let by, _): by
                    }
                print(
                    pad("\(item.id)", 7) + pad(item.state.name, 9) + pad(String(format: "%.4f", item.priority), 10)
                        + pad(item.reason, 24) + pad(who, 14) + item.postID)
            }
        }

        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width - 1 ? String(text.prefix(width - 2)) + "… " : text + String(repeating: " ", count: width - text.count)
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts of posts, queue items by state, and labels.")

        @Flag(help: "Print one JSON object.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (stats, location) = try await store.withStore { store in (try await store.stats(), store.location) }
            if json {
                print(stats.jsonLine)
                return
            }
            print("Store: \(location)")
            print("Posts: \(stats.posts)   predictions: \(stats.predictions)   seen ids: \(stats.seenIDs)   sources: \(stats.sources)")
            print("Queue: \(stats.pending) pending, \(stats.claimed) claimed, \(stats.expired) expired claims, \(stats.decided) decided")
            let flags = stats.flagCounts.keys.sorted().map { "\($0) \(stats.flagCounts[$0]!)" }.joined(separator: ", ")
            print("Labels: \(stats.labels) decisions on \(stats.labelledPosts) posts (current: \(flags.isEmpty ? "" : flags + ", ")benign \(stats.benign))")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write labelled posts as JSONL (current label per post), contact identifiers redacted.",
            discussion: """
                Phone numbers, WhatsApp / Telegram links, e-mail addresses, @handles and WeChat ids
                in titles, descriptions, hashtags and captions are replaced by [redacted:KIND], and
                the author is dropped, unless --include-contacts is given.
                """)

        @Option(name: [.short, .long], help: "Output file (default: standard output).")
        var out: String?

        @Flag(help: "Keep contact identifiers and authors (handle the file as sensitive).")
        var includeContacts = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            var sink: FileHandle = .standardOutput
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: nil) , let handle = FileHandle(forWritingAtPath: out) else {
                    throw ValidationError("Cannot write '\(out)': check that its folder exists and is writable.")
                }
                sink = handle
            }
            let redactor = ContactRedactor()
            var buffer: [UInt8] = []
            var count = 0
            let includeContacts = self.includeContacts
            try await store.withStore { store in
                try await store.forEachLabelledPost { item in
                    var post = includeContacts ? item.post.post : redactor.redact(item.post.post)
                    post.labels = item.label.flags
                    buffer.append(contentsOf: post.jsonLine.utf8)
                    buffer.append(0x0A)
                    count += 1
                    if buffer.count >= 1 << 16 {
                        sink.write(Data(buffer))
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
            }
            sink.write(Data(buffer))
            if out != nil { try sink.close() }
            let target = out.map { "'\($0)'" } ?? "standard output"
            let mode = includeContacts ? "contacts included" : "contacts redacted"
            FileHandle.standardError.write(Data("Exported \(count) labelled posts to \(target) (\(mode)).\n".utf8))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store posts from a JSONL file and queue them for review (until the crawl does it).",
            discussion: """
                Without --flags every post is queued with priority --score. With --flags the posts get
                a prediction from model --model scoring each flag --score, and are routed like the
                crawl does: flagged and unsure posts are queued, clear ones only as a sample.
                """)

        @Argument(help: "Posts as JSONL ('-' for standard input).")
        var file: String

        @Option(help: "Queue priority, or with --flags the score of every flag (0...1).")
        var score = 0.5

        @Option(help: "Register these model flags (comma-separated) and record a prediction per post.")
        var flags: String?

        @Option(help: "Model version for --flags predictions.")
        var model = "manual@0"

        @Option(help: "Decision threshold for --flags predictions.")
        var threshold = 0.5

        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard score.isFinite else { throw ValidationError("--score must be a number.") }
        }

        func run() async throws {
            let posts = try PostReader(warn: { warning in
                FileHandle.standardError.write(Data("Warning: \(warning.message)\n".utf8))
            }).readAll([file == "-" ? nil : file])
            let flagList = flags.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            let priority = ReviewPriority(.init(defaultThreshold: threshold))
            var stored = 0, queued = 0, alreadyQueued = 0
            try await store.withStore { store in
                for post in posts {
                    try await store.upsertPost(post, rawSHA256: nil, fetchedAt: nil, sourceURL: post.url, actor: "queue-add")
                    stored += 1
                    var routing = ReviewPriority.Routing(priority: score, reason: "manual")
                    if let flagList {
                        let decision: FlagDecision =
                            score >= threshold ? .flag : abs(score - threshold) <= 0.1 ? .unsure : .clear
                        let prediction = Prediction(
                            postID: post.id, modelVersion: model, scores: Dictionary(uniqueKeysWithValues: flagList.map { ($0, score) }),
                            decisions: Dictionary(uniqueKeysWithValues: flagList.map { ($0, decision) }), createdAt: Date())
                        try await store.recordPrediction(prediction, actor: "queue-add")
                        guard let routed = priority.routing(for: prediction) else { continue }
                        routing = routed
                    }
                    if try await store.enqueue(postID: post.id, priority: routing.priority, reason: routing.reason, actor: "queue-add") != nil {
                        queued += 1
                    } else {
                        alreadyQueued += 1
                    }
                }
            }
            print("Stored \(stored) posts, queued \(queued)\(alreadyQueued > 0 ? " (\(alreadyQueued) already in the queue)" : "").")
        }
    }

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim the next items for a reviewer and print 'ITEM<TAB>POST' per claim.",
            discussion: "Exits 3 when nothing could be claimed (the queue is empty or every item is leased).")

        @Option(help: "Claim up to this many items.")
        var count = 1

        @Flag(help: "Keep claiming until the queue is empty.")
        var all = false

        @Option(help: "How long the claim lasts, e.g. 15m, 90s.")
        var lease = DurationArgument(.seconds(15 * 60))

        @OptionGroup var reviewer: ReviewerOption
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let who = reviewer.resolved
            let claimed = try await store.withStore { store in
                var claimed = 0
                while all || claimed < count {
                    guard let item = try await store.claimNext(for: who, lease: lease.duration) else { break }
                    print("\(item.id)\t\(item.postID)")
                    claimed += 1
                }
                return claimed
            }
            if claimed == 0 {
                FileHandle.standardError.write(Data("Nothing to claim: the queue is empty or every item is leased.\n".utf8))
                throw ExitCode(3)
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a claimed item back to the queue (skip it).")

        @Argument(help: "The queue item id (from `queue claim` or `queue list`).")
        var item: Int64

        @OptionGroup var reviewer: ReviewerOption
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let who = reviewer.resolved
            try await store.withStore { store in try await store.release(itemID: item, by: who) }
            print("Released item \(item).")
        }
    }
}

extension ReviewItem {
    var jsonLine: String {
        var w = JSONWriter()
        w.beginObject()
        w.key("item"); w.int(Int(id))
        w.key("post"); w.string(postID)
        w.key("state"); w.string(state.name)
        w.key("priority"); w.number(priority)
        w.key("reason"); w.string(reason)
        switch state {
        case .pending: break
        case .claimed(let by, let at, let expiry):
            w.key("claimedBy"); w.string(by)
            w.key("claimedAt"); w.string(at.ISO8601Format())
            w.key("leaseExpiresAt"); w.string(expiry.ISO8601Format())
        case .decided(let by, let at):
            w.key("decidedBy"); w.string(by)
            w.key("decidedAt"); w.string(at.ISO8601Format())
        }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

extension QueueStats {
    var jsonLine: String {
        var w = JSONWriter()
        w.beginObject()
        for (key, value) in [
            ("posts", posts), ("predictions", predictions), ("pending", pending), ("claimed", claimed), ("expired", expired),
            ("decided", decided), ("labels", labels), ("labelledPosts", labelledPosts), ("benign", benign), ("seenIDs", seenIDs),
            ("sources", sources),
        ] {
            w.key(key); w.int(value)
        }
        w.key("flags")
        w.beginObject()
        for key in flagCounts.keys.sorted() { w.key(key); w.int(flagCounts[key]!) }
        w.endObject()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
