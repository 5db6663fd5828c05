public import Foundation
import Logging
import PostgresNIO
public import Posts

/// The scale-out review store: one PostgreSQL database shared by crawl workers and reviewers on
/// many machines, through postgres-nio.
///
/// Claims use `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent reviewers never wait on each other
/// and never get the same item; leases are wall-clock milliseconds compared on the server side
/// of the query, so a crashed reviewer's item returns after its lease.
public final class PostgresReviewQueueStore: ReviewQueueStore {
    public let url: PostgresURL
    public var location: String { url.description }
    let client: PostgresClient
    let runTask: Task<Void, Never>
    let clock: any StoreClock
    let logger: Logger
    let knownFlagCache = FlagCache()
    let connectTimeout: Duration

    /// Connects (failing after `connectTimeout` with a message naming the URL) and migrates.
    ///
    /// `connectTimeout` (or the URL's `connect_timeout`, which wins) also bounds each later wait for
    /// a pooled connection: when the server goes down mid-run, store calls fail with
    /// ``ReviewQueueError/Code/connectionFailed`` after it instead of waiting for ever.
    public static func open(
        url text: String, clock: any StoreClock = SystemStoreClock(), connectTimeout: Duration = .seconds(10),
        maximumConnections: Int = 20
    ) async throws -> PostgresReviewQueueStore {
        let url = try PostgresURL(text)
        let connectTimeout = url.connectTimeout ?? connectTimeout
        let store = PostgresReviewQueueStore(url: url, clock: clock, connectTimeout: connectTimeout, maximumConnections: maximumConnections)
        do {
            // One direct connection first: it fails fast and precisely (refused, bad password,
            // unknown database), where the pool would keep retrying until the deadline.
            let tls: PostgresConnection.Configuration.TLS =
                switch url.tls {
                case .disable: .disable
                case .prefer: .prefer(try .init(configuration: .makeClientConfiguration()))
                case .require: .require(try .init(configuration: .makeClientConfiguration()))
                }
            let direct = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: tls)
            let logger = store.logger
            try await withDeadline(connectTimeout, location: url.description) {
                let connection = try await PostgresConnection.connect(configuration: direct, id: 0, logger: logger)
                try await connection.close()
            }
            let now = clock.now.storeMilliseconds
            try await store.transaction { connection, _ in
                try await PostgresMigrations.migrate(connection, location: url.description, now: now, logger: store.logger)
            }
        } catch {
            await store.close()
            throw store.mapError(error)
        }
        return store
    }

    private init(url: PostgresURL, clock: any StoreClock, connectTimeout: Duration, maximumConnections: Int) {
        self.url = url
        self.clock = clock
        self.connectTimeout = connectTimeout
        self.logger = Logger(label: "smugglewatch.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let tls: PostgresClient.Configuration.TLS =
            switch url.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: tls)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = maximumConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.runTask = Task { await client.run() }
    }

    public func close() async {
        runTask.cancel()
        _ = await runTask.value
    }

    // MARK: - Plumbing

    /// Runs `body` in one transaction on a pooled connection and maps errors.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Int64) async throws -> T) async throws -> T {
        let now = clock.now.storeMilliseconds
        let logger = self.logger
        do {
            return try await withPooledConnection { connection in
                try await connection.withTransaction(logger: logger) { connection in
                    try await body(connection, now)
                }
            }
        } catch {
            throw mapError(error)
        }
    }

    /// One statement outside an explicit transaction, rows collected.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let logger = self.logger
        do {
            return try await withPooledConnection { try await $0.query(query, logger: logger).collect() }
        } catch {
            throw mapError(error)
        }
    }

    /// `body` on a pooled connection, giving up when none is handed out within `connectTimeout`.
    ///
    /// postgres-nio's pool waits for a connection as long as it takes, retrying the server in the
    /// background; a crawl must instead see the outage, retry on its own schedule and then stop
    /// with a message. Once a connection is in hand the body runs without a deadline (a big
    /// ingest batch may take long on a busy server); a server that dies under it fails the query.
    func withPooledConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let acquired = Flag()
        let client = self.client
        let timeout = connectTimeout
        let location = self.location
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    acquired.set()
                    return try await body(connection)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                guard acquired.isSet else {
                    throw ReviewQueueError(
                        .connectionFailed,
                        "PostgreSQL at \(location) handed out no connection within \(timeout). Check that the server is running (Scripts/pg-up.sh starts a local one) and the URL in --db or SMUGGLEWATCH_DB.",
                        location: location)
                }
                return nil  // the body has its connection: no deadline from here on
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw CancellationError()
        }
    }

    func mapError(_ error: any Error) -> any Error {
        if let error = error as? ReviewQueueError { return error }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError ?? error.beginError ?? error.commitError { return mapError(inner) }
            return ReviewQueueError(.database, "A transaction on \(location) failed: \(String(reflecting: error)).", location: location, cause: error)
        }
        if let error = error as? PSQLError {
            switch error.code {
            case .server:
                let message = error.serverInfo?[.message] ?? "unknown error"
                let state = error.serverInfo?[.sqlState] ?? "?"
                if state == "25006" || state == "42501" {
                    return ReviewQueueError(
                        .readOnly, "The database \(location) refused a write (\(message), SQLSTATE \(state)). Connect as a user with write access.",
                        location: location, cause: error)
                }
                if state == "3D000" {
                    return ReviewQueueError(
                        .connectionFailed, "PostgreSQL at \(location): \(message). Create it (createdb \(url.database)) or fix the URL in --db / SMUGGLEWATCH_DB.",
                        location: location, cause: error)
                }
                if state.hasPrefix("28") {
                    return ReviewQueueError(
                        .connectionFailed, "PostgreSQL at \(location) refused the login: \(message). Check the user and password in --db / SMUGGLEWATCH_DB.",
                        location: location, cause: error)
                }
                return ReviewQueueError(
                    .database, "PostgreSQL error on \(location): \(message) (SQLSTATE \(state)).", location: location, cause: error)
            default:
                let detail = error.underlying.map { String(describing: $0) } ?? String(describing: error.code)
                return connectionFailed(detail, cause: error)
            }
        }
        if error is CancellationError { return error }
        return connectionFailed(String(describing: error), cause: error)
    }

    func connectionFailed(_ detail: String, cause: (any Error)?) -> ReviewQueueError {
        ReviewQueueError(
            .connectionFailed,
            "Could not talk to PostgreSQL at \(location) (\(detail)). Check that the server is running (Scripts/pg-up.sh starts a local one) and the URL in --db or SMUGGLEWATCH_DB, then retry.",
            location: location, cause: cause)
    }

    static func audit(
        _ connection: PostgresConnection, at now: Int64, actor: String, action: String, postID: String?, itemID: Int64?,
        detail: [String: String] = [:], logger: Logger
    ) async throws {
        let detailJSON = StoreCoding.encode(detail: detail)
        try await connection.query(
            """
            INSERT INTO audit_log (at, actor, action, post_id, item_id, detail)
            VALUES (\(now), \(actor), \(action), \(postID), \(itemID), \(detailJSON))
            """, logger: logger)
    }

    static func exists(_ connection: PostgresConnection, post id: String, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT EXISTS (SELECT 1 FROM posts WHERE id = \(id))", logger: logger).collect()
        return try rows.first?.decode(Bool.self) ?? false
    }

    // MARK: - Audit

    public func auditLog(postID: String?, limit: Int) async throws -> [AuditEntry] {
        let rows =
            if let postID {
                try await self.rows(
                    "SELECT id, at, actor, action, post_id, item_id, detail FROM audit_log WHERE post_id = \(postID) ORDER BY id DESC LIMIT \(limit)")
            } else {
                try await self.rows("SELECT id, at, actor, action, post_id, item_id, detail FROM audit_log ORDER BY id DESC LIMIT \(limit)")
            }
        return try rows.map { row in
            let (id, at, actor, action, postID, itemID, detail) = try row.decode((Int64, Int64, String, String, String?, Int64?, String).self)
            return AuditEntry(id: id, at: Date(storeMilliseconds: at), actor: actor, action: action, postID: postID, itemID: itemID, detailJSON: detail)
        }
    }

    // MARK: - Posts

    static let postColumns = "id, json, content_hash, raw_sha256, fetched_at, source_url, version, first_seen_at, updated_at"

    func storedPost(_ row: PostgresRow) throws -> StoredPost {
        let (_, json, hash, raw, fetched, source, version, firstSeen, updated) = try row.decode(
            (String, String, String, String?, Int64?, String?, Int, Int64, Int64).self)
        return StoredPost(
            post: try StoreCoding.decodePost(json, location: location), contentHash: hash, rawSHA256: raw,
            fetchedAt: fetched.map(Date.init(storeMilliseconds:)), sourceURL: source, version: version,
            firstSeenAt: Date(storeMilliseconds: firstSeen), updatedAt: Date(storeMilliseconds: updated))
    }

    public func upsertPost(
        _ post: Post, rawSHA256: String?, fetchedAt: Date?, sourceURL: String?, actor: String
    ) async throws -> PostUpsertResult {
        let hash = post.contentHash
        let json = post.jsonLine
        let fetched = fetchedAt?.storeMilliseconds
        let logger = self.logger
        return try await transaction { c, now in
            // Insert first: concurrent writers of the same new id serialise on the primary key.
            let inserted = try await c.query(
                """
                INSERT INTO posts (id, json, content_hash, raw_sha256, fetched_at, source_url, version, first_seen_at, updated_at)
                VALUES (\(post.id), \(json), \(hash), \(rawSHA256), \(fetched), \(sourceURL), 1, \(now), \(now))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger
            ).collect()
            if !inserted.isEmpty {
                try await Self.audit(c, at: now, actor: actor, action: "post.insert", postID: post.id, itemID: nil, detail: ["hash": hash], logger: logger)
                return .inserted
            }
            let oldHash = try await c.query(
                "SELECT content_hash FROM posts WHERE id = \(post.id) FOR UPDATE", logger: logger
            ).collect().first!.decode(String.self)
            if oldHash == hash {
                try await c.query(
                    """
                    UPDATE posts SET raw_sha256 = COALESCE(\(rawSHA256), raw_sha256), fetched_at = COALESCE(\(fetched), fetched_at),
                        source_url = COALESCE(\(sourceURL), source_url) WHERE id = \(post.id)
                    """, logger: logger)
                return .unchanged
            }
            try await c.query(
                """
                UPDATE posts SET json = \(json), content_hash = \(hash), raw_sha256 = \(rawSHA256), fetched_at = \(fetched),
                    source_url = COALESCE(\(sourceURL), source_url), version = version + 1, updated_at = \(now)
                WHERE id = \(post.id)
                """, logger: logger)
            try await Self.audit(
                c, at: now, actor: actor, action: "post.change", postID: post.id, itemID: nil,
                detail: ["hash": hash, "previousHash": oldHash], logger: logger)
            return .changed
        }
    }

    public func post(id: String) async throws -> StoredPost? {
        try await rows("SELECT \(unescaped: Self.postColumns) FROM posts WHERE id = \(id)").first.map(storedPost)
    }

    // MARK: - Predictions and models

    public func recordPrediction(_ prediction: Prediction, actor: String) async throws {
        let scores = StoreCoding.encode(scores: prediction.scores)
        let decisions = StoreCoding.encode(decisions: prediction.decisions)
        let flags = StoreCoding.encode(flags: prediction.flags)
        let createdAt = prediction.createdAt.timeIntervalSince1970 == 0 ? nil : prediction.createdAt.storeMilliseconds
        let contacts = ContactIdentifier.identifiers(inEvidenceJSON: prediction.evidenceJSON)
        let logger = self.logger
        try await transaction { c, now in
            guard try await Self.exists(c, post: prediction.postID, logger: logger) else {
                throw ReviewQueueError.unknownPost(prediction.postID)
            }
            try await c.query(
                """
                INSERT INTO models (version, flags, registered_at) VALUES (\(prediction.modelVersion), \(flags), \(now))
                ON CONFLICT (version) DO NOTHING
                """, logger: logger)
            try await c.query(
                """
                INSERT INTO predictions (post_id, model_version, scores, decisions, evidence, created_at)
                VALUES (\(prediction.postID), \(prediction.modelVersion), \(scores), \(decisions), \(prediction.evidenceJSON), \(createdAt ?? now))
                """, logger: logger)
            try await Self.replaceContacts(c, postID: prediction.postID, with: contacts, logger: logger)
            try await Self.audit(
                c, at: now, actor: actor, action: "prediction.record", postID: prediction.postID, itemID: nil,
                detail: ["model": prediction.modelVersion, "decisions": decisions], logger: logger)
        }
    }

    public func predictions(for postID: String) async throws -> [Prediction] {
        try await rows(
            "SELECT post_id, model_version, scores, decisions, evidence, created_at FROM predictions WHERE post_id = \(postID) ORDER BY id DESC"
        ).map { row in
            let (post, model, scores, decisions, evidence, created) = try row.decode((String, String, String, String, String, Int64).self)
            let decisionMap = try StoreCoding.decode([String: String].self, decisions, what: "decision map", location: location)
            return Prediction(
                postID: post, modelVersion: model,
                scores: try StoreCoding.decode([String: Double].self, scores, what: "score map", location: location),
                decisions: decisionMap.compactMapValues(FlagDecision.init(rawValue:)), evidenceJSON: evidence,
                createdAt: Date(storeMilliseconds: created))
        }
    }

    public func registerModel(version: String, flags: [String]) async throws {
        let flagsJSON = StoreCoding.encode(flags: Array(Set(flags)).sorted())
        let logger = self.logger
        try await transaction { c, now in
            try await c.query(
                """
                INSERT INTO models (version, flags, registered_at) VALUES (\(version), \(flagsJSON), \(now))
                ON CONFLICT (version) DO UPDATE SET flags = excluded.flags
                """, logger: logger)
            try await Self.audit(
                c, at: now, actor: "system", action: "model.register", postID: nil, itemID: nil,
                detail: ["model": version, "flags": flagsJSON], logger: logger)
        }
    }

    public func knownFlags() async throws -> [String] {
        let lists = try await rows("SELECT flags FROM models").map { try $0.decode(String.self) }
        return try StoreCoding.unionOfModelFlags(lists, location: location).sorted()
    }

    // MARK: - Queue

    static let itemColumns =
        "id, post_id, state, priority, reason, enqueued_at, claimed_by, claimed_at, lease_expires_at, decided_by, decided_at"

    func item(_ row: PostgresRow) throws -> ReviewItem {
        let (id, postID, name, priority, reason, enqueued, claimedBy, claimedAt, expiry, decidedBy, decidedAt) = try row.decode(
            (Int64, String, String, Double, String, Int64, String?, Int64?, Int64?, String?, Int64?).self)
        guard
            let state = ReviewItemState(
                name: name, by: claimedBy, at: claimedAt.map(Date.init(storeMilliseconds:)),
                leaseExpiresAt: expiry.map(Date.init(storeMilliseconds:)), decidedBy: decidedBy,
                decidedAt: decidedAt.map(Date.init(storeMilliseconds:)))
        else {
            throw ReviewQueueError(.invalidData, "Queue item \(id) in \(location) has an inconsistent state '\(name)'.", location: location)
        }
        return ReviewItem(
            id: id, postID: postID, priority: priority, reason: reason, enqueuedAt: Date(storeMilliseconds: enqueued), state: state)
    }

    static func store(_ state: ReviewItemState, itemID: Int64, on c: PostgresConnection, logger: Logger) async throws {
        switch state {
        case .pending:
            try await c.query(
                """
                UPDATE queue_items SET state = 'pending', claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL
                WHERE id = \(itemID)
                """, logger: logger)
        case .claimed(let by, let at, let expiry):
            try await c.query(
                """
                UPDATE queue_items SET state = 'claimed', claimed_by = \(by), claimed_at = \(at.storeMilliseconds),
                    lease_expires_at = \(expiry.storeMilliseconds) WHERE id = \(itemID)
                """, logger: logger)
        case .decided(let by, let at):
            try await c.query(
                "UPDATE queue_items SET state = 'decided', decided_by = \(by), decided_at = \(at.storeMilliseconds) WHERE id = \(itemID)",
                logger: logger)
        }
    }

    public func enqueue(postID: String, priority: Double, reason: String, actor: String) async throws -> ReviewItem? {
        let logger = self.logger
        return try await transaction { c, now in
            guard try await Self.exists(c, post: postID, logger: logger) else { throw ReviewQueueError.unknownPost(postID) }
            let inserted = try await c.query(
                """
                INSERT INTO queue_items (post_id, state, priority, reason, enqueued_at) VALUES (\(postID), 'pending', \(priority), \(reason), \(now))
                ON CONFLICT (post_id) WHERE state <> 'decided' DO NOTHING RETURNING id
                """, logger: logger
            ).collect()
            guard let id = try inserted.first?.decode(Int64.self) else { return nil }
            try await Self.audit(
                c, at: now, actor: actor, action: "queue.enqueue", postID: postID, itemID: id,
                detail: ["priority": "\(priority)", "reason": reason], logger: logger)
            return ReviewItem(id: id, postID: postID, priority: priority, reason: reason, enqueuedAt: Date(storeMilliseconds: now), state: .pending)
        }
    }

    public func claimNext(for reviewer: String, lease: Duration) async throws -> ReviewItem? {
        let now = clock.now.storeMilliseconds
        let expiry = Date(storeMilliseconds: now).addingTimeInterval(lease.timeInterval).storeMilliseconds
        let leaseText = "\(Int(lease.timeInterval))s"
        // One statement, one round trip. The best pending item and the best lapsed claim come
        // from two index scans (an OR query would sort every pending item). SKIP LOCKED passes
        // over rows another reviewer is claiming right now instead of waiting for them; `old` is the row before the update
        // (every part of a WITH sees the same snapshot), so the transition is checked below
        // with the state machine, and a lapsed claim is recorded in the audit entry. `a` runs
        // although the final SELECT does not read it (PostgreSQL runs every data-modifying WITH).
        let rows = try await self.rows(
            """
            WITH p AS (
                SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE state = 'pending'
                ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED
            ),
            e AS (
                SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE state = 'claimed' AND lease_expires_at <= \(now)
                ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED
            ),
            c AS (SELECT * FROM (SELECT * FROM p UNION ALL SELECT * FROM e) x ORDER BY priority DESC, id LIMIT 1),
            u AS (
                UPDATE queue_items q SET state = 'claimed', claimed_by = \(reviewer), claimed_at = \(now), lease_expires_at = \(expiry)
                FROM c WHERE q.id = c.id RETURNING q.id
            ),
            a AS (
                INSERT INTO audit_log (at, actor, action, post_id, item_id, detail)
                SELECT \(now), \(reviewer), 'queue.claim', c.post_id, c.id,
                    CASE WHEN c.state = 'claimed' THEN '{"expiredClaimBy":' || to_json(c.claimed_by)::text || ',' ELSE '{' END
                        || '"lease":' || to_json(\(leaseText)::text)::text || '}'
                FROM c JOIN u ON u.id = c.id RETURNING id
            )
            SELECT c.id, c.post_id, c.state, c.priority, c.reason, c.enqueued_at, c.claimed_by, c.claimed_at, c.lease_expires_at,
                c.decided_by, c.decided_at
            FROM c JOIN u ON u.id = c.id
            """)
        guard let row = rows.first else { return nil }
        var item = try self.item(row)
        var machine = ReviewItemStateMachine(item.state)
        switch machine.claim(by: reviewer, at: Date(storeMilliseconds: now), lease: lease) {
        case .claim, .reclaimExpired: break
        case .unavailable:
            // The WHERE clause selects only claimable rows; reaching this is a bug.
            preconditionFailure("claimed item \(item.id) was not claimable: \(item.state)")
        }
        item.state = machine.state
        return item
    }

    public func release(itemID: Int64, by reviewer: String) async throws {
        let logger = self.logger
        let location = self.location
        try await transaction { c, now in
            let rows = try await c.query(
                "SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE id = \(itemID) FOR UPDATE", logger: logger
            ).collect()
            guard let row = rows.first else {
                throw ReviewQueueError(.notClaimed, "No queue item \(itemID) in \(location). List items with `smugglewatch queue list`.")
            }
            let item = try self.item(row)
            var machine = ReviewItemStateMachine(item.state)
            guard machine.release(by: reviewer) == .release else {
                throw ReviewQueueError(.notClaimed, "Queue item \(itemID) is not claimed by '\(reviewer)' (it is \(item.state.name)); nothing to release.")
            }
            try await Self.store(machine.state, itemID: itemID, on: c, logger: logger)
            try await Self.audit(c, at: now, actor: reviewer, action: "queue.release", postID: item.postID, itemID: itemID, logger: logger)
        }
    }

    public func items(in state: String?, limit: Int) async throws -> [ReviewItem] {
        let rows =
            if let state {
                try await self.rows(
                    "SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE state = \(state) ORDER BY priority DESC, id LIMIT \(limit)")
            } else {
                try await self.rows("SELECT \(unescaped: Self.itemColumns) FROM queue_items ORDER BY priority DESC, id LIMIT \(limit)")
            }
        return try rows.map(item)
    }

    public func stats() async throws -> QueueStats {
        let now = clock.now.storeMilliseconds
        var s = QueueStats()
        let counts = try await rows(
            """
            SELECT (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM predictions),
                (SELECT COUNT(*) FROM queue_items WHERE state = 'pending'),
                (SELECT COUNT(*) FROM queue_items WHERE state = 'claimed' AND lease_expires_at > \(now)),
                (SELECT COUNT(*) FROM queue_items WHERE state = 'claimed' AND lease_expires_at <= \(now)),
                (SELECT COUNT(*) FROM queue_items WHERE state = 'decided'),
                (SELECT COUNT(*) FROM labels WHERE \(unescaped: Self.notUndone)), (SELECT COUNT(*) FROM seen_ids),
                (SELECT COUNT(*) FROM crawl_state)
            """)
        if let row = counts.first {
            (s.posts, s.predictions, s.pending, s.claimed, s.expired, s.decided, s.labels, s.seenIDs, s.sources) = try row.decode(
                (Int, Int, Int, Int, Int, Int, Int, Int, Int).self)
        }
        let current = try await rows(
            "SELECT DISTINCT ON (post_id) flags FROM labels WHERE \(unescaped: Self.notUndone) ORDER BY post_id, id DESC"
        ).map { try $0.decode(String.self) }
        try s.countCurrentLabels(current, location: location)
        return s
    }

    // MARK: - Labels

    public func addLabel(postID: String, flags: [String], reviewer: String, note: String?) async throws -> Label {
        let flags = try StoreCoding.normalizedLabel(flags: flags, reviewer: reviewer, postID: postID)
        let flagsJSON = StoreCoding.encode(flags: flags)
        let now = clock.now.storeMilliseconds
        // Known flags only grow (models are never removed), so a cached set that contains every
        // flag is still right; anything else is checked against the database.
        if !knownFlagCache.containsAll(flags) {
            let known = Set(try await knownFlags())
            knownFlagCache.replace(with: known)
            try StoreCoding.checkKnown(flags, known: known)
        }
        // One statement, so one round trip and atomic on its own: the label, the item's
        // transition and the audit entry. The UPDATE is `ReviewItemStateMachine.decide`:
        // pending or claimed → decided, decided stays. Posts are never deleted, so a missing
        // post shows up as no inserted label.
        let rows = try await self.rows(
            """
            WITH p AS (SELECT id FROM posts WHERE id = \(postID)),
            l AS (
                INSERT INTO labels (post_id, flags, reviewer, note, created_at)
                SELECT id, \(flagsJSON), \(reviewer), \(note), \(now) FROM p RETURNING id
            ),
            q AS (
                UPDATE queue_items SET state = 'decided', decided_by = \(reviewer), decided_at = \(now)
                WHERE post_id = \(postID) AND state <> 'decided' AND EXISTS (SELECT 1 FROM l) RETURNING id
            ),
            a AS (
                INSERT INTO audit_log (at, actor, action, post_id, item_id, detail)
                SELECT \(now), \(reviewer), 'label.add', \(postID), (SELECT id FROM q),
                    '{"flags":' || to_json(\(flagsJSON)::text)::text || ',"label":"' || l.id::text || '"'
                        || COALESCE(',"note":' || to_json(\(note)::text)::text, '') || '}'
                FROM l RETURNING id
            )
            SELECT l.id, (SELECT id FROM q), (SELECT id FROM a) FROM l
            """)
        guard let row = rows.first else { throw ReviewQueueError.unknownPost(postID) }
        let (labelID, _, _) = try row.decode((Int64, Int64?, Int64).self)
        return Label(id: labelID, postID: postID, flags: flags, reviewer: reviewer, note: note, createdAt: Date(storeMilliseconds: now))
    }

    func label(_ row: PostgresRow) throws -> Label {
        let (id, postID, flags, reviewer, note, created) = try row.decode((Int64, String, String, String, String?, Int64).self)
        return Label(
            id: id, postID: postID, flags: try StoreCoding.decodeFlags(flags, location: location), reviewer: reviewer, note: note,
            createdAt: Date(storeMilliseconds: created))
    }

    public func labels(for postID: String) async throws -> [Label] {
        try await rows(
            "SELECT id, post_id, flags, reviewer, note, created_at FROM labels WHERE post_id = \(postID) AND \(unescaped: Self.notUndone) ORDER BY id"
        ).map(label)
    }

    public func labelledPosts(after afterID: String?, limit: Int) async throws -> [LabelledPost] {
        let rows = try await rows(
            """
            SELECT p.id, p.json, p.content_hash, p.raw_sha256, p.fetched_at, p.source_url, p.version, p.first_seen_at, p.updated_at,
                l.id, l.post_id, l.flags, l.reviewer, l.note, l.created_at
            FROM posts p JOIN LATERAL (
                SELECT * FROM labels WHERE post_id = p.id AND \(unescaped: Self.notUndone) ORDER BY id DESC LIMIT 1
            ) l ON TRUE
            WHERE \(afterID)::text IS NULL OR p.id > \(afterID)
            ORDER BY p.id LIMIT \(limit)
            """)
        return try rows.map { row in
            let columns = row.makeRandomAccess()
            let (labelID, postID, flags, reviewer, note, created) = (
                try columns[9].decode(Int64.self), try columns[10].decode(String.self), try columns[11].decode(String.self),
                try columns[12].decode(String?.self), try columns[13].decode(String?.self), try columns[14].decode(Int64.self)
            )
            let label = Label(
                id: labelID, postID: postID, flags: try StoreCoding.decodeFlags(flags, location: location), reviewer: reviewer ?? "",
                note: note, createdAt: Date(storeMilliseconds: created))
            let post = StoredPost(
                post: try StoreCoding.decodePost(try columns[1].decode(String.self), location: location),
                contentHash: try columns[2].decode(String.self), rawSHA256: try columns[3].decode(String?.self),
                fetchedAt: try columns[4].decode(Int64?.self).map(Date.init(storeMilliseconds:)),
                sourceURL: try columns[5].decode(String?.self), version: try columns[6].decode(Int.self),
                firstSeenAt: Date(storeMilliseconds: try columns[7].decode(Int64.self)),
                updatedAt: Date(storeMilliseconds: try columns[8].decode(Int64.self)))
            return LabelledPost(post: post, label: label)
        }
    }

    // MARK: - Crawl state

    static let crawlColumns =
        "source, cursor, etag, last_modified, last_run_at, next_due_at, consecutive_failures, last_error, lease_owner, lease_expires_at"

    static func crawlState(_ row: PostgresRow) throws -> CrawlState {
        let (source, cursor, etag, lastModified, lastRun, nextDue, failures, lastError, owner, expiry) = try row.decode(
            (String, String?, String?, String?, Int64?, Int64?, Int, String?, String?, Int64?).self)
        return CrawlState(
            source: source, cursor: cursor, etag: etag, lastModified: lastModified, lastRunAt: lastRun.map(Date.init(storeMilliseconds:)),
            nextDueAt: nextDue.map(Date.init(storeMilliseconds:)), consecutiveFailures: failures, lastError: lastError,
            leaseOwner: owner, leaseExpiresAt: expiry.map(Date.init(storeMilliseconds:)))
    }

    public func acquireSource(_ source: String, owner: String, lease: Duration) async throws -> CrawlState? {
        let logger = self.logger
        return try await transaction { c, now in
            let expiry = now + Int64((lease.timeInterval * 1000).rounded())
            try await c.query("INSERT INTO crawl_state (source) VALUES (\(source)) ON CONFLICT (source) DO NOTHING", logger: logger)
            let rows = try await c.query(
                """
                UPDATE crawl_state SET lease_owner = \(owner), lease_expires_at = \(expiry)
                WHERE source = \(source) AND (lease_owner IS NULL OR lease_owner = \(owner) OR lease_expires_at <= \(now))
                RETURNING \(unescaped: Self.crawlColumns)
                """, logger: logger
            ).collect()
            guard let row = rows.first else { return nil }
            try await Self.audit(c, at: now, actor: owner, action: "crawl.lease", postID: nil, itemID: nil, detail: ["source": source], logger: logger)
            return try Self.crawlState(row)
        }
    }

    public func saveCrawlState(_ state: CrawlState, owner: String, release: Bool) async throws {
        let logger = self.logger
        try await transaction { c, now in
            let rows = try await c.query(
                "SELECT lease_owner, lease_expires_at FROM crawl_state WHERE source = \(state.source) FOR UPDATE", logger: logger
            ).collect()
            let (leaseOwner, leaseExpiry) = try rows.first?.decode((String?, Int64?).self) ?? (nil, nil)
            guard leaseOwner == owner, let leaseExpiry, leaseExpiry > now else {
                throw ReviewQueueError(
                    .notClaimed,
                    "Worker '\(owner)' does not hold the crawl lease of source '\(state.source)'\(leaseOwner.map { " (held by '\($0)')" } ?? ""); its lease may have expired. Acquire the source again.")
            }
            try await c.query(
                """
                UPDATE crawl_state SET cursor = \(state.cursor), etag = \(state.etag), last_modified = \(state.lastModified),
                    last_run_at = \(state.lastRunAt?.storeMilliseconds), next_due_at = \(state.nextDueAt?.storeMilliseconds),
                    consecutive_failures = \(state.consecutiveFailures), last_error = \(state.lastError),
                    lease_owner = CASE WHEN \(release) THEN NULL ELSE lease_owner END,
                    lease_expires_at = CASE WHEN \(release) THEN NULL ELSE lease_expires_at END
                WHERE source = \(state.source)
                """, logger: logger)
            try await Self.audit(
                c, at: now, actor: owner, action: release ? "crawl.finish" : "crawl.update", postID: nil, itemID: nil,
                detail: ["source": state.source, "failures": "\(state.consecutiveFailures)"], logger: logger)
        }
    }

    public func crawlStates() async throws -> [CrawlState] {
        try await rows("SELECT \(unescaped: Self.crawlColumns) FROM crawl_state ORDER BY source").map(Self.crawlState)
    }

    // MARK: - Seen ids

    public func markSeen(_ ids: [String], source: String) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let logger = self.logger
        let fresh = try await transaction { c, now in
            var fresh = Set<String>()
            let rows = try await c.query(
                """
                INSERT INTO seen_ids (id, source, first_seen_at) SELECT unnest(\(ids)::text[]), \(source), \(now)
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger
            ).collect()
            for row in rows { fresh.insert(try row.decode(String.self)) }
            return fresh
        }
        var emitted = Set<String>()
        return ids.filter { fresh.contains($0) && emitted.insert($0).inserted }
    }

    public func seenSource(of id: String) async throws -> String? {
        try await rows("SELECT source FROM seen_ids WHERE id = \(id)").first?.decode(String.self)
    }
}

/// Runs `body`, failing with a connection error naming `location` after `timeout`.
func withDeadline<T: Sendable>(_ timeout: Duration, location: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw ReviewQueueError(
                .connectionFailed,
                "PostgreSQL at \(location) did not answer within \(Int(timeout.timeInterval)) s. Check that the server is running (Scripts/pg-up.sh starts a local one) and the URL in --db or SMUGGLEWATCH_DB.",
                location: location)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// The store's cached copy of the model flags.
final class FlagCache: @unchecked Sendable {
    // Guarded by `lock`.
    private var flags = Set<String>()
    private let lock = NSLock()

    func containsAll(_ names: [String]) -> Bool {
        lock.withLock { flags.isEmpty ? false : names.allSatisfy(flags.contains) }
    }

    func replace(with known: Set<String>) {
        lock.withLock { flags = known }
    }
}
