// store-bench: label throughput and claim + label round-trip latency of a ReviewQueueStore.
//
// Built only when SMUGGLEWATCH_BENCHMARKS=1 (see Package.swift), release mode, by
// Scripts/bench-store.sh, which runs it against SQLite and PostgreSQL side by side.
import Foundation
import Posts
import ReviewQueue

struct Options {
    var db = ""
    var reviewers = 8
    var roundTrips = 4000
    var labels = 4000
    /// Mean pause of a reviewer between round trips (reading the post), in ms; 0 = back to back.
    var thinkMilliseconds = 0.0
    var json = false
    /// Each reviewer in its own process, as people running `smugglewatch review` are.
    var processes = false
    /// Internal: run as one reviewer process of phase `child` ("separate" or "session").
    var child: String?
    var reviewerIndex = 0
    var count = 0

    init(_ arguments: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < arguments.count else { fail("missing value after \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--db": db = value()
            case "--reviewers": reviewers = Int(value()) ?? reviewers
            case "--round-trips": roundTrips = Int(value()) ?? roundTrips
            case "--labels": labels = Int(value()) ?? labels
            case "--think-ms": thinkMilliseconds = Double(value()) ?? thinkMilliseconds
            case "--json": json = true
            case "--processes": processes = true
            case "--child": child = value()
            case "--reviewer-index": reviewerIndex = Int(value()) ?? 0
            case "--count": count = Int(value()) ?? 0
            default: fail("unknown option '\(arguments[i])'. Usage: store-bench --db PATH|URL [--reviewers 8] [--round-trips 4000] [--labels 4000] [--think-ms 0] [--processes] [--json]")
            }
            i += 1
        }
        if db.isEmpty { fail("--db PATH|URL is required") }
    }
}

/// Exit 2 for usage errors, 1 for a run that failed.
func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    exit(code)
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

let options = Options(Array(CommandLine.arguments.dropFirst()))
let clock = ContinuousClock()
let store: any ReviewQueueStore
do {
    if PostgresURL.isPostgresURL(options.db) {
        store = try await PostgresReviewQueueStore.open(url: options.db, maximumConnections: max(options.reviewers + 2, 10))
    } else {
        store = try SQLiteReviewQueueStore(path: options.db)
    }
} catch {
    fail("\(error)", code: 1)
}
let backend = store is SQLiteReviewQueueStore ? "sqlite" : "postgres"
let flagSets: [[String]] = [["guidance"], ["contact"], ["guidance", "contact"], []]

/// Exponential pauses: reviewers act independently, not in lock step.
func think() async throws {
    guard options.thinkMilliseconds > 0 else { return }
    let pause = -options.thinkMilliseconds * log(Double.random(in: Double.ulpOfOne..<1))
    try await Task.sleep(for: .microseconds(Int64(pause * 1000)))
}

/// One reviewer's `count` timed round trips (ms). "separate": claimNext then addLabel, as
/// `queue claim` and `label` do. "session": addLabelAndClaimNext, the review session's one call
/// per keystroke; the session's first claim is not timed.
func review(_ phase: String, reviewer: String, count: Int) async throws -> [Double] {
    var times: [Double] = []
    var current = phase == "session" ? try await store.claimNext(for: reviewer) : nil
    while times.count < count {
        let start = clock.now
        let n = times.count
        if phase == "session" {
            guard let item = current else { break }
            current = try await store.addLabelAndClaimNext(
                postID: item.postID, flags: flagSets[n % flagSets.count], reviewer: reviewer, note: nil, lease: .seconds(900),
                excluding: []
            ).next
        } else {
            guard let item = try await store.claimNext(for: reviewer) else { break }
            try await store.addLabel(postID: item.postID, flags: flagSets[n % flagSets.count], reviewer: reviewer, note: nil)
        }
        times.append(seconds(clock.now - start) * 1000)
        try await think()
    }
    return times
}

/// The whole run; a store error ends it with the store's message, not a crash.
func run() async throws {
    if let phase = options.child {
        let times = try await review(phase, reviewer: "reviewer-\(options.reviewerIndex)", count: options.count)
        await store.close()
        print(times.map { String($0) }.joined(separator: " "))
        exit(0)
    }

    // Setup: posts for the two round-trip phases are queued (the session phase's reviewers each end
    // holding one claim, so it has `reviewers` more); posts for the label phases are not.
    let queued = 2 * options.roundTrips + options.reviewers
    let total = queued + 2 * options.labels
    let setupStart = clock.now
    try await store.registerModel(version: "bench@1", flags: ["guidance", "contact"])
    for i in 0..<total {
        let post = Post(
            id: "bench:\(i)", platform: "bench", url: "https://example.test/\(i)", title: "Post \(i)",
            description: "Sample text \(i) for the store benchmark, contact 555-555-\(String(format: "%04d", i % 10000))")
        try await store.upsertPost(post, rawSHA256: nil, fetchedAt: Date(), sourceURL: post.url, actor: "bench")
        if i < queued {
            try await store.enqueue(postID: post.id, priority: Double(i % 100) / 100 + 2, reason: "flag:guidance", actor: "bench")
        }
    }
    let setupSeconds = seconds(clock.now - setupStart)

    // Phase 1: `reviewers` concurrent reviewers, `roundTrips` round trips in all, as separate calls;
    // phase 1b: the same as the review session does them. Reviewers are tasks in this process, or
    // with --processes each its own process (this program again, with --child).
    func reviewers(_ phase: String) async throws -> (latencies: [Double], seconds: Double) {
        let share = (0..<options.reviewers).map { r in options.roundTrips / options.reviewers + (r < options.roundTrips % options.reviewers ? 1 : 0) }
        let start = clock.now
        var all: [Double] = []
        if options.processes {
            let children = try (0..<options.reviewers).map { r in
                let child = Process()
                child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
                child.arguments = [
                    "--db", options.db, "--child", phase, "--reviewer-index", "\(r)", "--count", "\(share[r])",
                    "--think-ms", "\(options.thinkMilliseconds)", "--reviewers", "\(options.reviewers)",
                ]
                let out = Pipe()
                child.standardOutput = out
                try child.run()
                return (child, out)
            }
            for (child, out) in children {
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                child.waitUntilExit()
                guard child.terminationStatus == 0 else { fail("a reviewer process of phase \(phase) exited with \(child.terminationStatus) (its error is above)", code: 1) }
                all += text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
            }
        } else {
            all = try await withThrowingTaskGroup(of: [Double].self) { group in
                for r in 0..<options.reviewers { group.addTask { try await review(phase, reviewer: "reviewer-\(r)", count: share[r]) } }
                var all: [Double] = []
                for try await part in group { all += part }
                return all
            }
        }
        return (all.sorted(), seconds(clock.now - start))
    }

    let (latencies, roundSeconds) = try await reviewers("separate")
    let (fused, fusedSeconds) = try await reviewers("session")

    // Phase 2: label decisions, one writer, back to back.
    let labelStart = clock.now
    for i in queued..<(queued + options.labels) {
        try await store.addLabel(postID: "bench:\(i)", flags: flagSets[i % flagSets.count], reviewer: "bench", note: nil)
    }
    let labelSeconds = seconds(clock.now - labelStart)

    // Phase 3: label decisions from `reviewers` concurrent writers.
    let concurrentStart = clock.now
    let firstConcurrent = queued + options.labels
    try await withThrowingTaskGroup(of: Void.self) { group in
        for r in 0..<options.reviewers {
            group.addTask {
                for i in stride(from: firstConcurrent + r, to: total, by: options.reviewers) {
                    try await store.addLabel(postID: "bench:\(i)", flags: flagSets[i % flagSets.count], reviewer: "reviewer-\(r)", note: nil)
                }
            }
        }
        try await group.waitForAll()
    }
    let concurrentSeconds = seconds(clock.now - concurrentStart)
    let concurrentRate = Double(options.labels) / concurrentSeconds

    let stats = try await store.stats()
    await store.close()
    // Each reviewer's last claim in phase 1b stays open: every other post was labelled once.
    guard latencies.count == options.roundTrips, fused.count == options.roundTrips, stats.labels == total - options.reviewers,
        stats.claimed == options.reviewers
    else {
        fail(
            "inconsistent run: \(latencies.count) + \(fused.count) round trips of \(options.roundTrips) each, \(stats.labels) labels of \(total - options.reviewers), \(stats.claimed) claims open",
            code: 1)
    }

    let labelRate = Double(options.labels) / labelSeconds
    let p50 = percentile(latencies, 50), p99 = percentile(latencies, 99), maxLatency = latencies.last ?? .nan
    let roundRate = Double(options.roundTrips) / roundSeconds
    let f50 = percentile(fused, 50), f99 = percentile(fused, 99), fusedMax = fused.last ?? .nan
    if options.json {
        print(
            #"{"backend":"\#(backend)","labels_per_s":\#(Int(labelRate)),"labels_concurrent_per_s":\#(Int(concurrentRate)),"reviewers":\#(options.reviewers),"think_ms":\#(options.thinkMilliseconds),"processes":\#(options.processes),"round_trips":\#(options.roundTrips),"#
                + #""rt_p50_ms":\#(String(format: "%.3f", p50)),"rt_p99_ms":\#(String(format: "%.3f", p99)),"rt_max_ms":\#(String(format: "%.3f", maxLatency)),"#
                + #""rt_per_s":\#(Int(roundRate)),"session_p50_ms":\#(String(format: "%.3f", f50)),"session_p99_ms":\#(String(format: "%.3f", f99)),"#
                + #""session_max_ms":\#(String(format: "%.3f", fusedMax)),"session_per_s":\#(Int(Double(options.roundTrips) / fusedSeconds)),"#
                + #""setup_posts_per_s":\#(Int(Double(total) / setupSeconds))}"#)
    } else {
        print("backend                         \(backend)")
        print("setup (upsert + enqueue)        \(Int(Double(total) / setupSeconds)) posts/s")
        print("label decisions, 1 writer       \(Int(labelRate))/s (\(options.labels) labels in \(String(format: "%.2f", labelSeconds)) s)")
        print("label decisions, \(options.reviewers) writers      \(Int(concurrentRate))/s")
        if options.processes { print("reviewers                       one process each") }
        if options.thinkMilliseconds > 0 { print("reviewer think time             \(options.thinkMilliseconds) ms mean (exponential)") }
        print("claim+label, \(options.reviewers) reviewers        p50 \(String(format: "%.2f", p50)) ms, p99 \(String(format: "%.2f", p99)) ms, max \(String(format: "%.2f", maxLatency)) ms, \(Int(roundRate)) round trips/s")
        print("label+next (review session)      p50 \(String(format: "%.2f", f50)) ms, p99 \(String(format: "%.2f", f99)) ms, max \(String(format: "%.2f", fusedMax)) ms, \(Int(Double(options.roundTrips) / fusedSeconds)) round trips/s")
    }
}

do {
    try await run()
} catch {
    fail("\(error)", code: 1)
}
