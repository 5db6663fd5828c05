public import Bayes
import Foundation
import Posts
public import ReviewQueue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The scheduled crawl: for each due source, take its lease, fetch it (conditional GET with the
/// stored validators), classify new and changed posts, store them with their predictions, queue
/// those that need review, and save the source's state (validators, cursor, next due time,
/// failures) before giving the lease back.
///
/// Workers sharing one store never crawl the same source at once: each source is leased
/// (``ReviewQueueStore/acquireSource(_:owner:lease:)``), and a worker that finds a source already
/// done by another (its next due time moved) leaves it. A dead worker's lease expires.
///
/// ```swift
/// let crawler = Crawler(store: store, model: model, modelLabel: "default@1", configuration: .init(worker: "host-1"))
/// let report = try await crawler.run(sourcesFile.sources)
/// print(report.table())
/// ```
public final class Crawler: Sendable {
    public struct Configuration: Sendable {
        /// The lease owner's name; unique per process.
        public var worker: String
        /// How long a source stays leased without renewal. The default is 10 minutes; the lease is
        /// renewed as batches are stored.
        public var lease: Duration = .seconds(600)
        /// Posts per store transaction. The default is 500.
        public var batchSize = 500
        /// Share of clear posts queued anyway. The default is 0.02.
        public var clearSampleRate = 0.02
        public var userAgent: String?
        public var obeysRobotsTxt = true
        /// The longest a failing source is pushed out. The default is 7 days.
        public var maxBackoff: Duration = .seconds(7 * 86_400)
        /// Store operations are tried this many times when the store is unreachable or locked.
        public var storeAttempts = 4
        /// The delay before the 2nd store attempt; doubles each time. The default is 1 s.
        public var storeRetryDelay: Duration = .seconds(1)
        /// Crawl every enabled source, due or not.
        public var ignoreSchedule = false
        /// Testing hook: the process kills itself (SIGKILL) once this many posts are stored.
        public var killAfterPosts: Int?
        /// Called before a store operation is tried again: what, the failed attempt's number,
        /// the attempts in all, the delay, and the error.
        public var onStoreRetry: (@Sendable (_ what: String, _ attempt: Int, _ attempts: Int, _ delay: Duration, _ error: ReviewQueueError) -> Void)?
        /// Called with each source's report as it finishes (progress, errors).
        public var onSourceDone: (@Sendable (SourceReport) -> Void)?

        public init(worker: String) { self.worker = worker }
    }

    public let store: any ReviewQueueStore
    public let model: NaiveBayesModel
    public let modelLabel: String
    public let configuration: Configuration
    let reader: SourceReader

    public init(store: any ReviewQueueStore, model: NaiveBayesModel, modelLabel: String, configuration: Configuration) {
        self.store = store
        self.model = model
        self.modelLabel = modelLabel
        self.configuration = configuration
        reader = SourceReader(userAgent: configuration.userAgent, obeysRobotsTxt: configuration.obeysRobotsTxt)
    }

    /// A worker name unique to this process: `host:pid:random`.
    public static func defaultWorkerName() -> String {
        let host = ProcessInfo.processInfo.hostName
        return "\(host):\(getpid()):\(UInt32.random(in: 0...UInt32.max) & 0xFFFF)"
    }

    /// Runs every due source once.
    ///
    /// - Throws: ``CrawlError`` when the store stays unreachable after the retries; source
    ///   failures do not throw, they are in the report.
    public func run(_ sources: [SourceConfig]) async throws -> CrawlReport {
        let started = Date()
        let clock = ContinuousClock()
        let t0 = clock.now
        var states: [String: CrawlState] = [:]
        for s in try await retrying("reading the crawl state", { try await self.store.crawlStates() }) { states[s.source] = s }
        var router = PostRouter(store: store, model: model, modelLabel: modelLabel, clearSampleRate: configuration.clearSampleRate)
        var reports: [SourceReport] = []
        var storedPosts = 0
        for source in sources {
            let report: SourceReport
            if !source.enabled {
                report = SourceReport(source: source.name, status: .disabled)
            } else if !configuration.ignoreSchedule, let due = states[source.name]?.nextDueAt, due > Date() {
                var r = SourceReport(source: source.name, status: .notDue(due))
                r.nextDueAt = due
                report = r
            } else {
                report = try await crawl(source, router: &router, storedPosts: &storedPosts)
            }
            configuration.onSourceDone?(report)
            reports.append(report)
        }
        return CrawlReport(sources: reports, startedAt: started, duration: clock.now - t0)
    }

    /// One source: lease, fetch, route, save state, release.
    func crawl(_ source: SourceConfig, router: inout PostRouter, storedPosts: inout Int) async throws -> SourceReport {
        let worker = configuration.worker
        let lease = configuration.lease
        guard
            var state = try await retrying(
                "leasing source '\(source.name)'", { try await self.store.acquireSource(source.name, owner: worker, lease: lease) })
        else {
            let holder = (try? await store.crawlStates())?.first(where: { $0.source == source.name })?.leaseOwner
            return SourceReport(source: source.name, status: .leased(holder ?? "another worker"))
        }
        // Another worker may have crawled it between our schedule check and the lease.
        if !configuration.ignoreSchedule, let due = state.nextDueAt, due > Date() {
            try await save(state, release: true)
            var r = SourceReport(source: source.name, status: .notDue(due))
            r.nextDueAt = due
            return r
        }
        var leaseTaken = ContinuousClock.now
        var report = SourceReport(source: source.name, status: .ok)
        let read: SourceRead
        do throws(SourceFailure) {
            read = try await reader.read(source, etag: state.etag, lastModified: state.lastModified)
        } catch {
            state.consecutiveFailures += 1
            state.lastError = error.message
            state.lastRunAt = Date()
            state.nextDueAt = Date().addingTimeInterval(backoff(source.every, failures: state.consecutiveFailures).inSeconds)
            try await save(state, release: true)
            report.status = .failed(error.message)
            report.failed = 1
            report.errors = [error.message]
            report.nextDueAt = state.nextDueAt
            return report
        }
        if read.notModified {
            report.status = .notModified
            report.notModified = 1
        }
        let actor = "crawl:\(worker)"
        for page in read.pages {
            report.fetched += page.posts.count
            report.failed += page.postErrors.count
            report.errors += page.postErrors
            let provenance = PostRouter.Provenance(
                rawSHA256: page.rawSHA256, fetchedAt: page.fetchedAt, sourceURL: page.sourceURL, source: source.name)
            var start = 0
            while start < page.posts.count {
                let end = min(start + max(1, configuration.batchSize), page.posts.count)
                var batch = Array(page.posts[start..<end])
                if !source.tags.isEmpty {
                    for k in batch.indices {
                        for tag in source.tags where !batch[k].tags.contains(tag) { batch[k].tags.append(tag) }
                    }
                }
                var attemptRouter = router
                let stats = try await retrying("storing posts of source '\(source.name)'") { () async throws -> PostRouter.Stats in
                    try await attemptRouter.route(batch, provenance: provenance, actor: actor)
                }
                router = attemptRouter
                report.new += stats.new
                report.changed += stats.changed
                report.unchanged += stats.unchanged
                report.flagged += stats.flagged
                report.queued += stats.queued
                storedPosts += batch.count
                start = end
                if let limit = configuration.killAfterPosts, storedPosts >= limit {
                    kill(getpid(), SIGKILL)
                }
                // Renew the lease once half of it has passed.
                if ContinuousClock.now - leaseTaken > lease / 2 {
                    if try await retrying("renewing the lease of '\(source.name)'", { try await self.store.acquireSource(source.name, owner: worker, lease: lease) }) == nil {
                        throw CrawlError(
                            "Lost the lease of source '\(source.name)' to another worker while storing its posts (the lease of \(lease) ran out). Pass a longer --lease.")
                    }
                    leaseTaken = ContinuousClock.now
                }
            }
        }
        // Validators are saved only now, after every post is stored: a crash before this point
        // makes the next run fetch the source in full again instead of getting a 304.
        state.etag = read.etag
        state.lastModified = read.lastModified
        state.cursor = read.cursor ?? state.cursor
        state.consecutiveFailures = 0
        state.lastError = nil
        state.lastRunAt = Date()
        state.nextDueAt = Date().addingTimeInterval(source.every.inSeconds)
        if try await !save(state, release: true) {
            report.errors.append("the lease of '\(source.name)' ran out while storing its posts and another worker holds it now; that worker saves its crawl state")
        }
        report.nextDueAt = state.nextDueAt
        return report
    }

    /// Saves the source's state. When the lease ran out meanwhile (a store outage longer than the
    /// lease) and no other worker has taken it, it is taken again first; returns false when
    /// another worker holds it now (that worker's run saves the state).
    @discardableResult
    func save(_ state: CrawlState, release: Bool) async throws -> Bool {
        let worker = configuration.worker
        let lease = configuration.lease
        let what = "saving the crawl state of '\(state.source)'"
        do {
            try await retrying(what) { try await self.store.saveCrawlState(state, owner: worker, release: release) }
        } catch let error as ReviewQueueError where error.code == .notClaimed {
            guard try await retrying("leasing source '\(state.source)' again", { try await self.store.acquireSource(state.source, owner: worker, lease: lease) }) != nil
            else { return false }
            try await retrying(what) { try await self.store.saveCrawlState(state, owner: worker, release: release) }
        }
        return true
    }

    /// `every × 2^(failures − 1)`, at most ``Configuration/maxBackoff``.
    func backoff(_ every: Duration, failures: Int) -> Duration {
        let factor = Double(1 << min(max(failures - 1, 0), 30))
        let d = every.inSeconds * factor
        return .milliseconds(Int64(min(d, configuration.maxBackoff.inSeconds) * 1000))
    }

    /// Retries store operations while the store is unreachable or locked, then gives up with a
    /// message that says what was lost and what to do.
    func retrying<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var delay = configuration.storeRetryDelay
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch let error as ReviewQueueError where error.code == .connectionFailed || error.code == .databaseLocked {
                guard attempt < max(1, configuration.storeAttempts) else {
                    throw CrawlError(
                        "Gave up \(what) after \(attempt) attempts: \(error.message) Posts stored before this point are kept; run the crawl again when the store is back (unfinished sources stay due).",
                        cause: error)
                }
                configuration.onStoreRetry?(what, attempt, max(1, configuration.storeAttempts), delay, error)
                try await Task.sleep(for: delay)
                delay = delay * 2
            }
        }
    }
}

/// The crawl could not go on (the store is gone, a lease was lost).
public struct CrawlError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var cause: (any Error)?

    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
