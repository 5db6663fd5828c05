import Foundation
import Logging
import PostgresNIO
import Posts

// MARK: - Crawl ingest

extension PostgresReviewQueueStore {
    public func contentHashes(of ids: [String]) async throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for row in try await rows("SELECT id, content_hash FROM posts WHERE id = ANY(\(ids))") {
            let (id, hash) = try row.decode((String, String).self)
            out[id] = hash
        }
        return out
    }

    /// One transaction for the whole batch (see ``ReviewQueueStore/ingest(_:actor:)``). Concurrent
    /// workers writing the same post serialise on its row (`INSERT … ON CONFLICT`, `FOR UPDATE`).
    public func ingest(_ items: [IngestItem], actor: String) async throws -> [IngestOutcome] {
        guard !items.isEmpty else { return [] }
        let logger = self.logger
        let prepared = items.map { item in
            (
                item: item, hash: item.post.contentHash, json: item.post.jsonLine,
                scores: item.prediction.map { StoreCoding.encode(scores: $0.scores) },
                decisions: item.prediction.map { StoreCoding.encode(decisions: $0.decisions) },
                flags: item.prediction.map { StoreCoding.encode(flags: $0.flags) }
            )
        }
        return try await transaction { c, now in
            // One look-up for the batch (rows locked in id order, so overlapping batches of two
            // workers cannot deadlock): posts stored with the same content only get their fetch
            // evidence refreshed, all in one statement, instead of three round trips each.
            var stored: [String: String] = [:]
            let ids = prepared.map(\.item.post.id)
            for row in try await c.query("SELECT id, content_hash FROM posts WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE", logger: logger).collect() {
                let (id, hash) = try row.decode((String, String).self)
                stored[id] = hash
            }
            // The seen-ids archive, in id order too (two workers' inserts cannot deadlock).
            let seen = prepared.compactMap { p in p.item.source.map { (p.item.post.id, $0) } }.sorted { $0.0 < $1.0 }
            if !seen.isEmpty {
                let seenIDs = seen.map(\.0)
                let seenSources = seen.map(\.1)
                try await c.query(
                    """
                    INSERT INTO seen_ids (id, source, first_seen_at)
                    SELECT u.id, u.source, \(now) FROM unnest(\(seenIDs)::text[], \(seenSources)::text[]) WITH ORDINALITY AS u(id, source, n)
                    ORDER BY u.n ON CONFLICT (id) DO NOTHING
                    """, logger: logger)
            }
            let unchanged = prepared.filter { stored[$0.item.post.id] == $0.hash }
            if !unchanged.isEmpty {
                // Arrays of optionals do not encode: "" and -1 stand for "keep the stored value".
                let unchangedIDs = unchanged.map(\.item.post.id)
                let raws = unchanged.map { $0.item.rawSHA256 ?? "" }
                let fetched = unchanged.map { $0.item.fetchedAt?.storeMilliseconds ?? -1 }
                let sources = unchanged.map { $0.item.sourceURL ?? "" }
                try await c.query(
                    """
                    UPDATE posts AS p SET raw_sha256 = COALESCE(NULLIF(u.raw, ''), p.raw_sha256),
                        fetched_at = COALESCE(NULLIF(u.fetched, -1), p.fetched_at), source_url = COALESCE(NULLIF(u.source, ''), p.source_url)
                    FROM unnest(\(unchangedIDs)::text[], \(raws)::text[], \(fetched)::bigint[], \(sources)::text[]) AS u(id, raw, fetched, source)
                    WHERE p.id = u.id
                    """, logger: logger)
            }
            var outcomes: [IngestOutcome] = []
            outcomes.reserveCapacity(prepared.count)
            var registered = Set<String>()
            for p in prepared {
                let post = p.item.post
                let id = post.id
                if stored[id] == p.hash {
                    outcomes.append(IngestOutcome(upsert: .unchanged, queued: false))
                    continue
                }
                let raw = p.item.rawSHA256
                let source = p.item.sourceURL
                let fetched = p.item.fetchedAt?.storeMilliseconds
                let inserted = try await c.query(
                    """
                    INSERT INTO posts (id, json, content_hash, raw_sha256, fetched_at, source_url, version, first_seen_at, updated_at)
                    VALUES (\(id), \(p.json), \(p.hash), \(raw), \(fetched), \(source), 1, \(now), \(now))
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """, logger: logger
                ).collect()
                let result: PostUpsertResult
                if !inserted.isEmpty {
                    try await Self.audit(c, at: now, actor: actor, action: "post.insert", postID: id, itemID: nil, detail: ["hash": p.hash], logger: logger)
                    result = .inserted
                } else {
                    let oldHash = try await c.query(
                        "SELECT content_hash FROM posts WHERE id = \(id) FOR UPDATE", logger: logger
                    ).collect().first!.decode(String.self)
                    if oldHash == p.hash {
                        try await c.query(
                            """
                            UPDATE posts SET raw_sha256 = COALESCE(\(raw), raw_sha256), fetched_at = COALESCE(\(fetched), fetched_at),
                                source_url = COALESCE(\(source), source_url) WHERE id = \(id)
                            """, logger: logger)
                        outcomes.append(IngestOutcome(upsert: .unchanged, queued: false))
                        continue
                    }
                    try await c.query(
                        """
                        UPDATE posts SET json = \(p.json), content_hash = \(p.hash), raw_sha256 = \(raw), fetched_at = \(fetched),
                            source_url = COALESCE(\(source), source_url), version = version + 1, updated_at = \(now)
                        WHERE id = \(id)
                        """, logger: logger)
                    try await Self.audit(
                        c, at: now, actor: actor, action: "post.change", postID: id, itemID: nil,
                        detail: ["hash": p.hash, "previousHash": oldHash], logger: logger)
                    result = .changed
                }
                guard let prediction = p.item.prediction, let scores = p.scores, let decisions = p.decisions, let flags = p.flags else {
                    throw ReviewQueueError.changedMeanwhile(id)
                }
                let model = prediction.modelVersion
                if registered.insert(model).inserted {
                    try await c.query(
                        """
                        INSERT INTO models (version, flags, registered_at) VALUES (\(model), \(flags), \(now))
                        ON CONFLICT (version) DO NOTHING
                        """, logger: logger)
                }
                let createdAt = prediction.createdAt.timeIntervalSince1970 == 0 ? now : prediction.createdAt.storeMilliseconds
                try await c.query(
                    """
                    INSERT INTO predictions (post_id, model_version, scores, decisions, evidence, created_at)
                    VALUES (\(id), \(model), \(scores), \(decisions), \(prediction.evidenceJSON), \(createdAt))
                    """, logger: logger)
                try await Self.audit(
                    c, at: now, actor: actor, action: "prediction.record", postID: id, itemID: nil,
                    detail: ["model": model, "decisions": decisions], logger: logger)
                var queued = false
                if let routing = p.item.routing {
                    let priority = routing.priority
                    let reason = routing.reason
                    let item = try await c.query(
                        """
                        INSERT INTO queue_items (post_id, state, priority, reason, enqueued_at) VALUES (\(id), 'pending', \(priority), \(reason), \(now))
                        ON CONFLICT (post_id) WHERE state <> 'decided' DO NOTHING RETURNING id
                        """, logger: logger
                    ).collect()
                    if let itemID = try item.first?.decode(Int64.self) {
                        queued = true
                        try await Self.audit(
                            c, at: now, actor: actor, action: "queue.enqueue", postID: id, itemID: itemID,
                            detail: ["priority": "\(priority)", "reason": reason], logger: logger)
                    }
                }
                outcomes.append(IngestOutcome(upsert: result, queued: queued))
            }
            return outcomes
        }
    }
}
