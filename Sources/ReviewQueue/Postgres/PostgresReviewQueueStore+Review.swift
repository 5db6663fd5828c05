import Foundation
import Logging
import PostgresNIO

extension PostgresReviewQueueStore {
    /// SQL condition: the `labels` row (column `id`) has not been undone.
    static let notUndone = "id NOT IN (SELECT label_id FROM label_undos)"

    // MARK: - Contacts

    /// Replaces a post's indexed contact identifiers with those of its latest prediction.
    static func replaceContacts(
        _ c: PostgresConnection, postID: String, with contacts: [ContactIdentifier], logger: Logger
    ) async throws {
        try await c.query("DELETE FROM post_contacts WHERE post_id = \(postID)", logger: logger)
        guard !contacts.isEmpty else { return }
        let values = contacts.map(\.value)
        let kinds = contacts.map(\.kind)
        try await c.query(
            """
            INSERT INTO post_contacts (post_id, value, kind)
            SELECT \(postID), v, k FROM unnest(\(values)::text[], \(kinds)::text[]) AS t(v, k)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func contacts(for postID: String) async throws -> [ContactIdentifier] {
        try await rows("SELECT kind, value FROM post_contacts WHERE post_id = \(postID) ORDER BY value, kind").map { row in
            let (kind, value) = try row.decode((String, String).self)
            return ContactIdentifier(kind: kind, value: value)
        }
    }

    public func postsSharingContacts(postID: String, limit: Int) async throws -> [SharedContactPost] {
        let rows = try await rows(
            """
            WITH others AS (
                SELECT DISTINCT o.post_id FROM post_contacts m
                JOIN post_contacts o ON o.value = m.value AND o.post_id <> m.post_id
                WHERE m.post_id = \(postID) ORDER BY o.post_id LIMIT \(limit)
            )
            SELECT DISTINCT o.post_id, o.kind, o.value FROM post_contacts m
            JOIN post_contacts o ON o.value = m.value AND o.post_id IN (SELECT post_id FROM others)
            WHERE m.post_id = \(postID) ORDER BY o.post_id, o.value, o.kind
            """)
        return SharedContactPost.grouped(
            try rows.map { row in
                let (post, kind, value) = try row.decode((String, String, String).self)
                return (post, ContactIdentifier(kind: kind, value: value))
            })
    }

    // MARK: - Undo

    public func undoLabel(id: Int64, by reviewer: String, lease: Duration) async throws -> LabelUndo {
        let logger = self.logger
        let location = self.location
        return try await transaction { c, now in
            // Lock the label's post row so concurrent labels and undos of one post serialise.
            let found = try await c.query(
                "SELECT id, post_id, flags, reviewer, note, created_at FROM labels WHERE id = \(id)", logger: logger
            ).collect()
            guard let row = found.first else { throw ReviewQueueError.noLabel(id, location: location) }
            let label = try self.label(row)
            try await c.query("SELECT id FROM posts WHERE id = \(label.postID) FOR UPDATE", logger: logger)
            let alreadyUndone = try await c.query(
                "SELECT EXISTS (SELECT 1 FROM label_undos WHERE label_id = \(id))", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
            let effective = try await c.query(
                """
                SELECT id, post_id, flags, reviewer, note, created_at FROM labels
                WHERE post_id = \(label.postID) AND \(unescaped: Self.notUndone) ORDER BY id DESC LIMIT 2
                """, logger: logger
            ).collect().map(self.label)
            try ReviewQueueError.checkUndo(of: label, by: reviewer, alreadyUndone: alreadyUndone, current: effective.first)
            try await c.query(
                "INSERT INTO label_undos (label_id, reviewer, created_at) VALUES (\(id), \(reviewer), \(now))", logger: logger)
            let current = effective.count > 1 ? effective[1] : nil
            try await Self.audit(
                c, at: now, actor: reviewer, action: "label.undo", postID: label.postID, itemID: nil,
                detail: LabelUndo.auditDetail(undone: label, current: current), logger: logger)

            // The open item if there is one, else the item the label decided (the latest).
            var itemRows = try await c.query(
                """
                SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE post_id = \(label.postID) AND state <> 'decided' FOR UPDATE
                """, logger: logger
            ).collect()
            if itemRows.isEmpty {
                itemRows = try await c.query(
                    """
                    SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE post_id = \(label.postID)
                    ORDER BY id DESC LIMIT 1 FOR UPDATE
                    """, logger: logger
                ).collect()
            }
            guard let itemRow = itemRows.first else { return LabelUndo(undone: label, current: current, item: nil) }
            var item = try self.item(itemRow)
            var machine = ReviewItemStateMachine(item.state)
            switch machine.reopen(by: reviewer, at: Date(storeMilliseconds: now), lease: lease) {
            case .heldByOther:
                return LabelUndo(undone: label, current: current, item: nil)
            case .reopen, .renew:
                try await Self.store(machine.state, itemID: item.id, on: c, logger: logger)
                try await c.query(
                    "UPDATE queue_items SET decided_by = NULL, decided_at = NULL WHERE id = \(item.id)", logger: logger)
                try await Self.audit(
                    c, at: now, actor: reviewer, action: "queue.reopen", postID: label.postID, itemID: item.id,
                    detail: ["lease": "\(Int(lease.timeInterval))s", "undoneLabel": "\(id)"], logger: logger)
                item.state = machine.state
                return LabelUndo(undone: label, current: current, item: item)
            }
        }
    }
}

extension PostgresReviewQueueStore {
    // MARK: - Claims that pass over skipped items

    public func claimNext(for reviewer: String, lease: Duration, excluding itemIDs: [Int64]) async throws -> ReviewItem? {
        if itemIDs.isEmpty { return try await claimNext(for: reviewer, lease: lease) }
        let logger = self.logger
        return try await transaction { c, now in
            // The same choice as claimNext(for:lease:), in steps: best pending and best lapsed
            // item not skipped, rows another reviewer is claiming passed over.
            // (PostgreSQL refuses FOR UPDATE in a UNION, so two statements.)
            let pending = try await c.query(
                """
                SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE state = 'pending' AND NOT (id = ANY(\(itemIDs)::bigint[]))
                ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).collect()
            let lapsed = try await c.query(
                """
                SELECT \(unescaped: Self.itemColumns) FROM queue_items WHERE state = 'claimed' AND lease_expires_at <= \(now)
                    AND NOT (id = ANY(\(itemIDs)::bigint[]))
                ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).collect()
            let candidates = try (pending + lapsed).map(self.item)
            guard var item = candidates.min(by: { ($0.priority, -$0.id) > ($1.priority, -$1.id) }) else { return nil }
            var machine = ReviewItemStateMachine(item.state)
            var detail = ["lease": "\(Int(lease.timeInterval))s", "skipping": "\(itemIDs.count)"]
            switch machine.claim(by: reviewer, at: Date(storeMilliseconds: now), lease: lease) {
            case .unavailable: return nil
            case .claim: break
            case .reclaimExpired(let previous, _): detail["expiredClaimBy"] = previous
            }
            try await Self.store(machine.state, itemID: item.id, on: c, logger: logger)
            try await Self.audit(c, at: now, actor: reviewer, action: "queue.claim", postID: item.postID, itemID: item.id, detail: detail, logger: logger)
            item.state = machine.state
            return item
        }
    }
}
