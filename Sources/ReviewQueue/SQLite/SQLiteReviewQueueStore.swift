public import Foundation
import GRDB
public import Posts

/// The embedded review store: one SQLite file in WAL mode, through GRDB.
///
/// Writes run in `BEGIN IMMEDIATE` transactions, so claims by concurrent processes are serialised
/// by SQLite's write lock; a process that waits longer than `busyTimeout` gets a
/// ``ReviewQueueError/Code/databaseLocked`` error naming the file.
public final class SQLiteReviewQueueStore: ReviewQueueStore {
    public struct Configuration: Sendable {
        /// How long to wait for another process's write lock before failing.
        public var busyTimeout: Duration = .seconds(10)
        /// WAL sizes (pages) at which checkpoints run: see ``WALCheckpointer``. Tests lower them.
        var walCheckpoints = WALCheckpointer.Thresholds()
        public init(busyTimeout: Duration = .seconds(10)) { self.busyTimeout = busyTimeout }
    }

    public let path: String
    public var location: String { path }
    let pool: DatabasePool
    let clock: any StoreClock
    let knownFlagCache = FlagCache()
    let checkpointer: WALCheckpointer
    let groupCommit: GroupCommit

    /// Opens (creating the file and its folder if needed) and migrates the database at `path`.
    public init(path: String, clock: any StoreClock = SystemStoreClock(), configuration: Configuration = Configuration()) throws {
        self.path = path
        self.clock = clock
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw ReviewQueueError(
                    .cannotOpen, "Could not create the folder '\(folder)' for the database '\(path)': \(error.localizedDescription). Pass another --db path.",
                    location: path, cause: error)
            }
        }
        var config = GRDB.Configuration()
        let busy = SQLiteBusyPolicy(timeout: configuration.busyTimeout)
        config.busyMode = .callback { tries in busy.shouldRetry(afterTries: tries) }
        config.label = "smugglewatch"
        let walTrigger = WALCheckpointer.Trigger(configuration.walCheckpoints)
        config.prepareDatabase { db in
            // WAL + NORMAL: durable against process crashes, a power cut may lose the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            WALCheckpointer.install(on: db, trigger: walTrigger)
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let now = clock.now.storeMilliseconds
            try pool.writeWithoutTransaction { db in try SQLiteMigrations.migrate(db, path: path, now: now) }
            checkpointer = try WALCheckpointer(path: path, trigger: walTrigger)
            groupCommit = GroupCommit(
                pool: pool, clock: clock, turns: WriterTurns(databasePath: path, timeout: configuration.busyTimeout))
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    public func close() async {
        checkpointer.stop()
        try? pool.close()
    }

    // MARK: - Transactions

    /// Runs `body` all or nothing in a `BEGIN IMMEDIATE` transaction, shared with the writes that
    /// queued up meanwhile (``GroupCommit``), and maps SQLite errors.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database, Int64) throws -> T) async throws -> T {
        do {
            return try await groupCommit.write(body)
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    static func mapError(_ error: any Error, path: String) -> any Error {
        if error is ReviewQueueError { return error }
        guard let error = error as? DatabaseError else { return error }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return ReviewQueueError(
                .databaseLocked,
                "The database '\(path)' is locked by another process (\(detail)). Wait for the other smugglewatch process to finish and retry, or pass another --db.",
                location: path, cause: error)
        case .SQLITE_READONLY, .SQLITE_PERM:
            return ReviewQueueError(
                .readOnly,
                "The database '\(path)' is read-only (\(detail)). Make the file and its folder writable (SQLite also writes '\(path)-wal' and '\(path)-shm' next to it) or pass another --db.",
                location: path, cause: error)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return ReviewQueueError(
                .corrupt,
                "The database '\(path)' is corrupt or not a SQLite file (\(detail)). Move it away and restore a backup, or pass another --db.",
                location: path, cause: error)
        case .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_FULL:
            return ReviewQueueError(
                .cannotOpen,
                "Could not open or write the database '\(path)' (\(detail)). Check that the path and its folder exist, are writable and the disk is not full.",
                location: path, cause: error)
        default:
            return ReviewQueueError(
                .database, "Database error in '\(path)': \(detail).", location: path, cause: error)
        }
    }

    // MARK: - Audit

    static func audit(
        _ db: Database, at now: Int64, actor: String, action: String, postID: String?, itemID: Int64?,
        detail: [String: String] = [:]
    ) throws {
        try db.exec(
            sql: "INSERT INTO audit_log (at, actor, action, post_id, item_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [now, actor, action, postID, itemID, StoreCoding.encode(detail: detail)])
    }

    public func auditLog(postID: String?, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            let rows =
                if let postID {
                    try db.fetchRows(sql: "SELECT * FROM audit_log WHERE post_id = ? ORDER BY id DESC LIMIT ?", arguments: [postID, limit])
                } else {
                    try db.fetchRows(sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit])
                }
            return rows.map { row in
                AuditEntry(
                    id: row["id"], at: Date(storeMilliseconds: row["at"]), actor: row["actor"], action: row["action"],
                    postID: row["post_id"], itemID: row["item_id"], detailJSON: row["detail"])
            }
        }
    }

    // MARK: - Posts

    public func upsertPost(
        _ post: Post, rawSHA256: String?, fetchedAt: Date?, sourceURL: String?, actor: String
    ) async throws -> PostUpsertResult {
        let hash = post.contentHash
        let json = post.jsonLine
        let fetched = fetchedAt?.storeMilliseconds
        return try await write { db, now in
            let existing = try db.fetchRow(sql: "SELECT content_hash, version FROM posts WHERE id = ?", arguments: [post.id])
            guard let existing else {
                try db.exec(
                    sql: """
                        INSERT INTO posts (id, json, content_hash, raw_sha256, fetched_at, source_url, version, first_seen_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
                        """,
                    arguments: [post.id, json, hash, rawSHA256, fetched, sourceURL, now, now])
                try Self.audit(db, at: now, actor: actor, action: "post.insert", postID: post.id, itemID: nil, detail: ["hash": hash])
                return .inserted
            }
            let oldHash: String = existing["content_hash"]
            if oldHash == hash {
                try db.exec(
                    sql: """
                        UPDATE posts SET raw_sha256 = COALESCE(?, raw_sha256), fetched_at = COALESCE(?, fetched_at),
                            source_url = COALESCE(?, source_url) WHERE id = ?
                        """,
                    arguments: [rawSHA256, fetched, sourceURL, post.id])
                return .unchanged
            }
            try db.exec(
                sql: """
                    UPDATE posts SET json = ?, content_hash = ?, raw_sha256 = ?, fetched_at = ?, source_url = COALESCE(?, source_url),
                        version = version + 1, updated_at = ? WHERE id = ?
                    """,
                arguments: [json, hash, rawSHA256, fetched, sourceURL, now, post.id])
            try Self.audit(
                db, at: now, actor: actor, action: "post.change", postID: post.id, itemID: nil,
                detail: ["hash": hash, "previousHash": oldHash])
            return .changed
        }
    }

    public func post(id: String) async throws -> StoredPost? {
        let path = self.path
        return try await read { db in
            try db.fetchRow(sql: "SELECT * FROM posts WHERE id = ?", arguments: [id]).map { try Self.storedPost($0, path: path) }
        }
    }

    static func storedPost(_ row: Row, prefix: String = "", path: String) throws -> StoredPost {
        let fetched: Int64? = row[prefix + "fetched_at"]
        return StoredPost(
            post: try StoreCoding.decodePost(row[prefix + "json"], location: path),
            contentHash: row[prefix + "content_hash"], rawSHA256: row[prefix + "raw_sha256"],
            fetchedAt: fetched.map(Date.init(storeMilliseconds:)), sourceURL: row[prefix + "source_url"],
            version: row[prefix + "version"], firstSeenAt: Date(storeMilliseconds: row[prefix + "first_seen_at"]),
            updatedAt: Date(storeMilliseconds: row[prefix + "updated_at"]))
    }

    // MARK: - Predictions and models

    public func recordPrediction(_ prediction: Prediction, actor: String) async throws {
        let scores = StoreCoding.encode(scores: prediction.scores)
        let decisions = StoreCoding.encode(decisions: prediction.decisions)
        let flags = StoreCoding.encode(flags: prediction.flags)
        let createdAt = prediction.createdAt.timeIntervalSince1970 == 0 ? nil : prediction.createdAt.storeMilliseconds
        let contacts = ContactIdentifier.identifiers(inEvidenceJSON: prediction.evidenceJSON)
        try await write { db, now in
            guard try db.fetchValue(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM posts WHERE id = ?)", arguments: [prediction.postID]) == true
            else { throw ReviewQueueError.unknownPost(prediction.postID) }
            try db.exec(
                sql: "INSERT INTO models (version, flags, registered_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING",
                arguments: [prediction.modelVersion, flags, now])
            try db.exec(
                sql: """
                    INSERT INTO predictions (post_id, model_version, scores, decisions, evidence, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [prediction.postID, prediction.modelVersion, scores, decisions, prediction.evidenceJSON, createdAt ?? now])
            try Self.replaceContacts(db, postID: prediction.postID, with: contacts)
            try Self.audit(
                db, at: now, actor: actor, action: "prediction.record", postID: prediction.postID, itemID: nil,
                detail: ["model": prediction.modelVersion, "decisions": decisions])
        }
    }

    public func predictions(for postID: String) async throws -> [Prediction] {
        let path = self.path
        return try await read { db in
            try db.fetchRows(sql: "SELECT * FROM predictions WHERE post_id = ? ORDER BY id DESC", arguments: [postID]).map { row in
                let decisions = try StoreCoding.decode([String: String].self, row["decisions"], what: "decision map", location: path)
                return Prediction(
                    postID: row["post_id"], modelVersion: row["model_version"],
                    scores: try StoreCoding.decode([String: Double].self, row["scores"], what: "score map", location: path),
                    decisions: decisions.compactMapValues(FlagDecision.init(rawValue:)), evidenceJSON: row["evidence"],
                    createdAt: Date(storeMilliseconds: row["created_at"]))
            }
        }
    }

    public func registerModel(version: String, flags: [String]) async throws {
        let flagsJSON = StoreCoding.encode(flags: Array(Set(flags)).sorted())
        try await write { db, now in
            try db.exec(
                sql: "INSERT INTO models (version, flags, registered_at) VALUES (?, ?, ?) ON CONFLICT (version) DO UPDATE SET flags = excluded.flags",
                arguments: [version, flagsJSON, now])
            try Self.audit(db, at: now, actor: "system", action: "model.register", postID: nil, itemID: nil, detail: ["model": version, "flags": flagsJSON])
        }
    }

    public func knownFlags() async throws -> [String] {
        let path = self.path
        return try await read { db in
            try StoreCoding.unionOfModelFlags(db.fetchValues(String.self, sql: "SELECT flags FROM models"), location: path).sorted()
        }
    }

    // MARK: - Queue

    static let itemColumns =
        "id, post_id, state, priority, reason, enqueued_at, claimed_by, claimed_at, lease_expires_at, decided_by, decided_at"

    static func item(_ row: Row, path: String) throws -> ReviewItem {
        let claimedAt: Int64? = row["claimed_at"]
        let expiry: Int64? = row["lease_expires_at"]
        let decidedAt: Int64? = row["decided_at"]
        let name: String = row["state"]
        guard
            let state = ReviewItemState(
                name: name, by: row["claimed_by"], at: claimedAt.map(Date.init(storeMilliseconds:)),
                leaseExpiresAt: expiry.map(Date.init(storeMilliseconds:)), decidedBy: row["decided_by"],
                decidedAt: decidedAt.map(Date.init(storeMilliseconds:)))
        else {
            let id: Int64 = row["id"]
            throw ReviewQueueError(.invalidData, "Queue item \(id) in '\(path)' has an inconsistent state '\(name)'.", location: path)
        }
        return ReviewItem(
            id: row["id"], postID: row["post_id"], priority: row["priority"], reason: row["reason"],
            enqueuedAt: Date(storeMilliseconds: row["enqueued_at"]), state: state)
    }

    static func store(_ state: ReviewItemState, itemID: Int64, in db: Database) throws {
        switch state {
        case .pending:
            try db.exec(
                sql: """
                    UPDATE queue_items SET state = 'pending', claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL
                    WHERE id = ?
                    """, arguments: [itemID])
        case .claimed(let by, let at, let expiry):
            try db.exec(
                sql: "UPDATE queue_items SET state = 'claimed', claimed_by = ?, claimed_at = ?, lease_expires_at = ? WHERE id = ?",
                arguments: [by, at.storeMilliseconds, expiry.storeMilliseconds, itemID])
        case .decided(let by, let at):
            try db.exec(
                sql: "UPDATE queue_items SET state = 'decided', decided_by = ?, decided_at = ? WHERE id = ?",
                arguments: [by, at.storeMilliseconds, itemID])
        }
    }

    public func enqueue(postID: String, priority: Double, reason: String, actor: String) async throws -> ReviewItem? {
        try await write { db, now in
            guard try db.fetchValue(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM posts WHERE id = ?)", arguments: [postID]) == true
            else { throw ReviewQueueError.unknownPost(postID) }
            try db.exec(
                sql: """
                    INSERT INTO queue_items (post_id, state, priority, reason, enqueued_at) VALUES (?, 'pending', ?, ?, ?)
                    ON CONFLICT (post_id) WHERE state <> 'decided' DO NOTHING
                    """,
                arguments: [postID, priority, reason, now])
            guard db.changesCount > 0 else { return nil }
            let id = db.lastInsertedRowID
            try Self.audit(
                db, at: now, actor: actor, action: "queue.enqueue", postID: postID, itemID: id,
                detail: ["priority": "\(priority)", "reason": reason])
            return ReviewItem(id: id, postID: postID, priority: priority, reason: reason, enqueuedAt: Date(storeMilliseconds: now), state: .pending)
        }
    }

    public func claimNext(for reviewer: String, lease: Duration) async throws -> ReviewItem? {
        try await claimNext(for: reviewer, lease: lease, excluding: [])
    }

    public func release(itemID: Int64, by reviewer: String) async throws {
        let path = self.path
        try await write { db, now in
            guard let row = try db.fetchRow(sql: "SELECT \(Self.itemColumns) FROM queue_items WHERE id = ?", arguments: [itemID])
            else { throw ReviewQueueError(.notClaimed, "No queue item \(itemID) in '\(path)'. List items with `smugglewatch queue list`.") }
            let item = try Self.item(row, path: path)
            var machine = ReviewItemStateMachine(item.state)
            guard machine.release(by: reviewer) == .release else {
                throw ReviewQueueError(.notClaimed, "Queue item \(itemID) is not claimed by '\(reviewer)' (it is \(item.state.name)); nothing to release.")
            }
            try Self.store(machine.state, itemID: itemID, in: db)
            try Self.audit(db, at: now, actor: reviewer, action: "queue.release", postID: item.postID, itemID: itemID)
        }
    }

    public func items(in state: String?, limit: Int) async throws -> [ReviewItem] {
        let path = self.path
        return try await read { db in
            let rows =
                if let state {
                    try db.fetchRows(sql: "SELECT \(Self.itemColumns) FROM queue_items WHERE state = ? ORDER BY priority DESC, id LIMIT ?",
                        arguments: [state, limit])
                } else {
                    try db.fetchRows(sql: "SELECT \(Self.itemColumns) FROM queue_items ORDER BY priority DESC, id LIMIT ?", arguments: [limit])
                }
            return try rows.map { try Self.item($0, path: path) }
        }
    }

    public func stats() async throws -> QueueStats {
        let now = clock.now.storeMilliseconds
        let path = self.path
        return try await read { db in
            var s = QueueStats()
            func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
                try db.fetchValue(Int.self, sql: sql, arguments: arguments) ?? 0
            }
            s.posts = try count("SELECT COUNT(*) FROM posts")
            s.predictions = try count("SELECT COUNT(*) FROM predictions")
            s.pending = try count("SELECT COUNT(*) FROM queue_items WHERE state = 'pending'")
            s.claimed = try count("SELECT COUNT(*) FROM queue_items WHERE state = 'claimed' AND lease_expires_at > ?", [now])
            s.expired = try count("SELECT COUNT(*) FROM queue_items WHERE state = 'claimed' AND lease_expires_at <= ?", [now])
            s.decided = try count("SELECT COUNT(*) FROM queue_items WHERE state = 'decided'")
            s.labels = try count("SELECT COUNT(*) FROM labels WHERE \(Self.notUndone)")
            s.seenIDs = try count("SELECT COUNT(*) FROM seen_ids")
            s.sources = try count("SELECT COUNT(*) FROM crawl_state")
            let current = try db.fetchValues(String.self, sql: "SELECT flags FROM labels l WHERE id = (SELECT MAX(id) FROM labels WHERE post_id = l.post_id AND \(Self.notUndone))")
            try s.countCurrentLabels(current, location: path)
            return s
        }
    }

    // MARK: - Labels

    public func addLabel(postID: String, flags: [String], reviewer: String, note: String?) async throws -> Label {
        let flags = try StoreCoding.normalizedLabel(flags: flags, reviewer: reviewer, postID: postID)
        let (path, cache) = (self.path, knownFlagCache)
        return try await write { db, now in
            try Self.insertLabel(db, at: now, postID: postID, flags: flags, reviewer: reviewer, note: note, cache: cache, path: path)
        }
    }

    /// The label, the item's transition to decided and the audit entry (inside a transaction).
    static func insertLabel(
        _ db: Database, at now: Int64, postID: String, flags: [String], reviewer: String, note: String?, cache: FlagCache, path: String
    ) throws -> Label {
        let flagsJSON = StoreCoding.encode(flags: flags)
        guard try db.fetchValue(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM posts WHERE id = ?)", arguments: [postID]) == true
        else { throw ReviewQueueError.unknownPost(postID) }
        // Known flags only grow (models are never removed): a cache holding every flag is right.
        if !cache.containsAll(flags) {
            let known = try StoreCoding.unionOfModelFlags(db.fetchValues(String.self, sql: "SELECT flags FROM models"), location: path)
            cache.replace(with: known)
            try StoreCoding.checkKnown(flags, known: known)
        }
        try db.exec(
            sql: "INSERT INTO labels (post_id, flags, reviewer, note, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [postID, flagsJSON, reviewer, note, now])
        let labelID = db.lastInsertedRowID
        var itemID: Int64?
        if let row = try db.fetchRow(sql: "SELECT \(Self.itemColumns) FROM queue_items WHERE post_id = ? AND state <> 'decided'", arguments: [postID])
        {
            let item = try Self.item(row, path: path)
            var machine = ReviewItemStateMachine(item.state)
            if machine.decide(by: reviewer, at: Date(storeMilliseconds: now)) == .decide {
                try Self.store(machine.state, itemID: item.id, in: db)
                itemID = item.id
            }
        }
        var detail = ["flags": flagsJSON, "label": "\(labelID)"]
        if let note { detail["note"] = note }
        try Self.audit(db, at: now, actor: reviewer, action: "label.add", postID: postID, itemID: itemID, detail: detail)
        return Label(id: labelID, postID: postID, flags: flags, reviewer: reviewer, note: note, createdAt: Date(storeMilliseconds: now))
    }

    static func label(_ row: Row, prefix: String = "", path: String) throws -> Label {
        Label(
            id: row[prefix + "id"], postID: row[prefix + "post_id"],
            flags: try StoreCoding.decodeFlags(row[prefix + "flags"], location: path), reviewer: row[prefix + "reviewer"],
            note: row[prefix + "note"], createdAt: Date(storeMilliseconds: row[prefix + "created_at"]))
    }

    public func labels(for postID: String) async throws -> [Label] {
        let path = self.path
        return try await read { db in
            try db.fetchRows(sql: "SELECT * FROM labels WHERE post_id = ? AND \(Self.notUndone) ORDER BY id", arguments: [postID]).map {
                try Self.label($0, path: path)
            }
        }
    }

    public func labelledPosts(after afterID: String?, limit: Int) async throws -> [LabelledPost] {
        let path = self.path
        return try await read { db in
            let rows = try db.fetchRows(sql: """
                    SELECT p.id AS p_id, p.json AS p_json, p.content_hash AS p_content_hash, p.raw_sha256 AS p_raw_sha256,
                        p.fetched_at AS p_fetched_at, p.source_url AS p_source_url, p.version AS p_version,
                        p.first_seen_at AS p_first_seen_at, p.updated_at AS p_updated_at,
                        l.id AS l_id, l.post_id AS l_post_id, l.flags AS l_flags, l.reviewer AS l_reviewer, l.note AS l_note,
                        l.created_at AS l_created_at
                    FROM labels l JOIN posts p ON p.id = l.post_id
                    WHERE l.id = (SELECT MAX(id) FROM labels WHERE post_id = l.post_id AND \(Self.notUndone)) AND (? IS NULL OR p.id > ?)
                    ORDER BY p.id LIMIT ?
                    """, arguments: [afterID, afterID, limit])
            return try rows.map { row in
                LabelledPost(post: try Self.storedPost(row, prefix: "p_", path: path), label: try Self.label(row, prefix: "l_", path: path))
            }
        }
    }

    // MARK: - Crawl state

    static func crawlState(_ row: Row) -> CrawlState {
        let lastRun: Int64? = row["last_run_at"]
        let nextDue: Int64? = row["next_due_at"]
        let expiry: Int64? = row["lease_expires_at"]
        return CrawlState(
            source: row["source"], cursor: row["cursor"], etag: row["etag"], lastModified: row["last_modified"],
            lastRunAt: lastRun.map(Date.init(storeMilliseconds:)), nextDueAt: nextDue.map(Date.init(storeMilliseconds:)),
            consecutiveFailures: row["consecutive_failures"], lastError: row["last_error"], leaseOwner: row["lease_owner"],
            leaseExpiresAt: expiry.map(Date.init(storeMilliseconds:)))
    }

    public func acquireSource(_ source: String, owner: String, lease: Duration) async throws -> CrawlState? {
        try await write { db, now in
            let expiry = now + Int64((lease.timeInterval * 1000).rounded())
            try db.exec(
                sql: "INSERT INTO crawl_state (source) VALUES (?) ON CONFLICT (source) DO NOTHING", arguments: [source])
            try db.exec(
                sql: """
                    UPDATE crawl_state SET lease_owner = ?, lease_expires_at = ?
                    WHERE source = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at <= ?)
                    """, arguments: [owner, expiry, source, owner, now])
            guard db.changesCount > 0 else { return nil }
            try Self.audit(db, at: now, actor: owner, action: "crawl.lease", postID: nil, itemID: nil, detail: ["source": source])
            return try db.fetchRow(sql: "SELECT * FROM crawl_state WHERE source = ?", arguments: [source]).map(Self.crawlState)
        }
    }

    public func saveCrawlState(_ state: CrawlState, owner: String, release: Bool) async throws {
        try await write { db, now in
            let holder = try db.fetchRow(sql: "SELECT lease_owner, lease_expires_at FROM crawl_state WHERE source = ?", arguments: [state.source])
            let leaseOwner: String? = holder?["lease_owner"]
            let leaseExpiry: Int64? = holder?["lease_expires_at"]
            guard leaseOwner == owner, let leaseExpiry, leaseExpiry > now else {
                throw ReviewQueueError(
                    .notClaimed,
                    "Worker '\(owner)' does not hold the crawl lease of source '\(state.source)'\(leaseOwner.map { " (held by '\($0)')" } ?? ""); its lease may have expired. Acquire the source again.")
            }
            try db.exec(
                sql: """
                    UPDATE crawl_state SET cursor = ?, etag = ?, last_modified = ?, last_run_at = ?, next_due_at = ?,
                        consecutive_failures = ?, last_error = ?,
                        lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END,
                        lease_expires_at = CASE WHEN ? THEN NULL ELSE lease_expires_at END
                    WHERE source = ?
                    """,
                arguments: [
                    state.cursor, state.etag, state.lastModified, state.lastRunAt?.storeMilliseconds,
                    state.nextDueAt?.storeMilliseconds, state.consecutiveFailures, state.lastError, release, release, state.source,
                ])
            try Self.audit(
                db, at: now, actor: owner, action: release ? "crawl.finish" : "crawl.update", postID: nil, itemID: nil,
                detail: ["source": state.source, "failures": "\(state.consecutiveFailures)"])
        }
    }

    public func crawlStates() async throws -> [CrawlState] {
        try await read { db in
            try db.fetchRows(sql: "SELECT * FROM crawl_state ORDER BY source").map(Self.crawlState)
        }
    }

    // MARK: - Seen ids

    public func markSeen(_ ids: [String], source: String) async throws -> [String] {
        try await write { db, now in
            var fresh: [String] = []
            let statement = try db.cachedStatement(
                sql: "INSERT INTO seen_ids (id, source, first_seen_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING")
            for id in ids {
                try statement.execute(arguments: [id, source, now])
                if db.changesCount > 0 { fresh.append(id) }
            }
            return fresh
        }
    }

    public func seenSource(of id: String) async throws -> String? {
        try await read { db in try db.fetchValue(String.self, sql: "SELECT source FROM seen_ids WHERE id = ?", arguments: [id]) }
    }
}

extension Database {
    // Hot paths use cached prepared statements: parsing SQL was the largest single cost.

    func exec(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func fetchRow(sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func fetchRows(sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func fetchValue<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = StatementArguments()
    ) throws -> T? {
        try T.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func fetchValues<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = StatementArguments()
    ) throws -> [T] {
        try T.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }
}
