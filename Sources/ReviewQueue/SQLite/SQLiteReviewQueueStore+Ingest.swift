import Foundation
import GRDB
import Posts

// MARK: - Crawl ingest

extension SQLiteReviewQueueStore {
    public func contentHashes(of ids: [String]) async throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            var out: [String: String] = [:]
            // SQLite allows 32,766 parameters per statement; batches are far smaller, chunk anyway.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try db.fetchRows(sql: "SELECT id, content_hash FROM posts WHERE id IN (\(marks))", arguments: StatementArguments(chunk)) {
                    out[row["id"]] = row["content_hash"]
                }
            }
            return out
        }
    }

    /// One `BEGIN IMMEDIATE` transaction for the whole batch (see ``ReviewQueueStore/ingest(_:actor:)``).
    public func ingest(_ items: [IngestItem], actor: String) async throws -> [IngestOutcome] {
        guard !items.isEmpty else { return [] }
        struct Prepared: Sendable {
            var item: IngestItem
            var hash: String
            var json: String
            var scores: String?
            var decisions: String?
            var flags: String?
        }
        // Hashing and encoding happen before the write lock is taken.
        let prepared = items.map { item in
            Prepared(
                item: item, hash: item.post.contentHash, json: item.post.jsonLine,
                scores: item.prediction.map { StoreCoding.encode(scores: $0.scores) },
                decisions: item.prediction.map { StoreCoding.encode(decisions: $0.decisions) },
                flags: item.prediction.map { StoreCoding.encode(flags: $0.flags) })
        }
        return try await write { db, now in
            var outcomes: [IngestOutcome] = []
            outcomes.reserveCapacity(prepared.count)
            var registered = Set<String>()
            for p in prepared {
                let post = p.item.post
                let fetched = p.item.fetchedAt?.storeMilliseconds
                let result: PostUpsertResult
                if let source = p.item.source {
                    try db.exec(
                        sql: "INSERT INTO seen_ids (id, source, first_seen_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                        arguments: [post.id, source, now])
                }
                if let existing = try db.fetchRow(sql: "SELECT content_hash FROM posts WHERE id = ?", arguments: [post.id]) {
                    let oldHash: String = existing["content_hash"]
                    if oldHash == p.hash {
                        try db.exec(
                            sql: """
                                UPDATE posts SET raw_sha256 = COALESCE(?, raw_sha256), fetched_at = COALESCE(?, fetched_at),
                                    source_url = COALESCE(?, source_url) WHERE id = ?
                                """,
                            arguments: [p.item.rawSHA256, fetched, p.item.sourceURL, post.id])
                        outcomes.append(IngestOutcome(upsert: .unchanged, queued: false))
                        continue
                    }
                    try db.exec(
                        sql: """
                            UPDATE posts SET json = ?, content_hash = ?, raw_sha256 = ?, fetched_at = ?, source_url = COALESCE(?, source_url),
                                version = version + 1, updated_at = ? WHERE id = ?
                            """,
                        arguments: [p.json, p.hash, p.item.rawSHA256, fetched, p.item.sourceURL, now, post.id])
                    try Self.audit(
                        db, at: now, actor: actor, action: "post.change", postID: post.id, itemID: nil,
                        detail: ["hash": p.hash, "previousHash": oldHash])
                    result = .changed
                } else {
                    try db.exec(
                        sql: """
                            INSERT INTO posts (id, json, content_hash, raw_sha256, fetched_at, source_url, version, first_seen_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
                            """,
                        arguments: [post.id, p.json, p.hash, p.item.rawSHA256, fetched, p.item.sourceURL, now, now])
                    try Self.audit(db, at: now, actor: actor, action: "post.insert", postID: post.id, itemID: nil, detail: ["hash": p.hash])
                    result = .inserted
                }
                guard let prediction = p.item.prediction, let scores = p.scores, let decisions = p.decisions, let flags = p.flags else {
                    throw ReviewQueueError.changedMeanwhile(post.id)
                }
                if registered.insert(prediction.modelVersion).inserted {
                    try db.exec(
                        sql: "INSERT INTO models (version, flags, registered_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING",
                        arguments: [prediction.modelVersion, flags, now])
                }
                let createdAt = prediction.createdAt.timeIntervalSince1970 == 0 ? now : prediction.createdAt.storeMilliseconds
                try db.exec(
                    sql: """
                        INSERT INTO predictions (post_id, model_version, scores, decisions, evidence, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [post.id, prediction.modelVersion, scores, decisions, prediction.evidenceJSON, createdAt])
                try Self.audit(
                    db, at: now, actor: actor, action: "prediction.record", postID: post.id, itemID: nil,
                    detail: ["model": prediction.modelVersion, "decisions": decisions])
                var queued = false
                if let routing = p.item.routing {
                    try db.exec(
                        sql: """
                            INSERT INTO queue_items (post_id, state, priority, reason, enqueued_at) VALUES (?, 'pending', ?, ?, ?)
                            ON CONFLICT (post_id) WHERE state <> 'decided' DO NOTHING
                            """,
                        arguments: [post.id, routing.priority, routing.reason, now])
                    if db.changesCount > 0 {
                        queued = true
                        try Self.audit(
                            db, at: now, actor: actor, action: "queue.enqueue", postID: post.id, itemID: db.lastInsertedRowID,
                            detail: ["priority": "\(routing.priority)", "reason": routing.reason])
                    }
                }
                outcomes.append(IngestOutcome(upsert: result, queued: queued))
            }
            return outcomes
        }
    }
}
