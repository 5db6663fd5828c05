import Foundation
import GRDB

extension SQLiteReviewQueueStore {
    /// SQL condition: the `labels` row (column `id`) has not been undone.
    static let notUndone = "id NOT IN (SELECT label_id FROM label_undos)"

    // MARK: - Contacts

    /// Replaces a post's indexed contact identifiers with those of its latest prediction.
    static func replaceContacts(_ db: Database, postID: String, with contacts: [ContactIdentifier]) throws {
        try db.exec(sql: "DELETE FROM post_contacts WHERE post_id = ?", arguments: [postID])
        for contact in contacts {
            try db.exec(
                sql: "INSERT INTO post_contacts (post_id, value, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [postID, contact.value, contact.kind])
        }
    }

    public func contacts(for postID: String) async throws -> [ContactIdentifier] {
        try await read { db in
            try db.fetchRows(sql: "SELECT kind, value FROM post_contacts WHERE post_id = ? ORDER BY value, kind", arguments: [postID])
                .map { ContactIdentifier(kind: $0["kind"], value: $0["value"]) }
        }
    }

    public func postsSharingContacts(postID: String, limit: Int) async throws -> [SharedContactPost] {
        try await read { db in
            let rows = try db.fetchRows(
                sql: """
                    WITH others AS (
                        SELECT DISTINCT o.post_id FROM post_contacts m
                        JOIN post_contacts o ON o.value = m.value AND o.post_id <> m.post_id
                        WHERE m.post_id = ? ORDER BY o.post_id LIMIT ?
                    )
                    SELECT DISTINCT o.post_id, o.kind, o.value FROM post_contacts m
                    JOIN post_contacts o ON o.value = m.value AND o.post_id IN (SELECT post_id FROM others)
                    WHERE m.post_id = ? ORDER BY o.post_id, o.value, o.kind
                    """, arguments: [postID, limit, postID])
            return SharedContactPost.grouped(rows.map { ($0["post_id"], ContactIdentifier(kind: $0["kind"], value: $0["value"])) })
        }
    }

    // MARK: - Undo

    public func undoLabel(id: Int64, by reviewer: String, lease: Duration) async throws -> LabelUndo {
        let path = self.path
        return try await write { db, now in
            guard let row = try db.fetchRow(sql: "SELECT * FROM labels WHERE id = ?", arguments: [id]) else {
                throw ReviewQueueError.noLabel(id, location: path)
            }
            let label = try Self.label(row, path: path)
            let alreadyUndone = try db.fetchValue(
                Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM label_undos WHERE label_id = ?)", arguments: [id]) ?? false
            let effective = try db.fetchRows(
                sql: "SELECT * FROM labels WHERE post_id = ? AND \(Self.notUndone) ORDER BY id DESC LIMIT 2", arguments: [label.postID]
            ).map { try Self.label($0, path: path) }
            try ReviewQueueError.checkUndo(of: label, by: reviewer, alreadyUndone: alreadyUndone, current: effective.first)
            try db.exec(
                sql: "INSERT INTO label_undos (label_id, reviewer, created_at) VALUES (?, ?, ?)", arguments: [id, reviewer, now])
            let current = effective.count > 1 ? effective[1] : nil
            try Self.audit(
                db, at: now, actor: reviewer, action: "label.undo", postID: label.postID, itemID: nil,
                detail: LabelUndo.auditDetail(undone: label, current: current))

            // The open item if there is one, else the item the label decided (the latest).
            let itemRow =
                try db.fetchRow(
                    sql: "SELECT \(Self.itemColumns) FROM queue_items WHERE post_id = ? AND state <> 'decided'", arguments: [label.postID])
                ?? db.fetchRow(
                    sql: "SELECT \(Self.itemColumns) FROM queue_items WHERE post_id = ? ORDER BY id DESC LIMIT 1", arguments: [label.postID])
            var reopened: ReviewItem?
            if let itemRow {
                var item = try Self.item(itemRow, path: path)
                var machine = ReviewItemStateMachine(item.state)
                switch machine.reopen(by: reviewer, at: Date(storeMilliseconds: now), lease: lease) {
                case .heldByOther: break
                case .reopen, .renew:
                    try Self.store(machine.state, itemID: item.id, in: db)
                    try db.exec(sql: "UPDATE queue_items SET decided_by = NULL, decided_at = NULL WHERE id = ?", arguments: [item.id])
                    try Self.audit(
                        db, at: now, actor: reviewer, action: "queue.reopen", postID: label.postID, itemID: item.id,
                        detail: ["lease": "\(Int(lease.timeInterval))s", "undoneLabel": "\(id)"])
                    item.state = machine.state
                    reopened = item
                }
            }
            return LabelUndo(undone: label, current: current, item: reopened)
        }
    }
}

extension SharedContactPost {
    /// Groups `(post id, identifier)` rows, already ordered by post id, into posts.
    static func grouped(_ rows: [(String, ContactIdentifier)]) -> [SharedContactPost] {
        var posts: [SharedContactPost] = []
        for (postID, contact) in rows {
            if posts.last?.postID == postID {
                if !posts[posts.count - 1].contacts.contains(contact) { posts[posts.count - 1].contacts.append(contact) }
            } else {
                posts.append(SharedContactPost(postID: postID, contacts: [contact]))
            }
        }
        return posts
    }
}

extension LabelUndo {
    static func auditDetail(undone: Label, current: Label?) -> [String: String] {
        [
            "label": "\(undone.id)", "flags": StoreCoding.encode(flags: undone.flags),
            "current": current.map { "\($0.id)" } ?? "none",
        ]
    }
}

extension ReviewQueueError {
    static func noLabel(_ id: Int64, location: String) -> ReviewQueueError {
        ReviewQueueError(.invalidLabel, "No label \(id) in \(location); nothing to undo. See a post's labels with `smugglewatch queue export`.")
    }

    /// The rules of undo, shared by both backends.
    static func checkUndo(of label: Label, by reviewer: String, alreadyUndone: Bool, current: Label?) throws {
        if alreadyUndone {
            throw ReviewQueueError(.invalidLabel, "Label \(label.id) of post '\(label.postID)' was already undone.")
        }
        guard label.reviewer == reviewer else {
            throw ReviewQueueError(
                .invalidLabel,
                "Label \(label.id) of post '\(label.postID)' was made by '\(label.reviewer)', not '\(reviewer)'; only its reviewer can undo it. Add a new label with `smugglewatch label` instead.")
        }
        guard current?.id == label.id else {
            throw ReviewQueueError(
                .invalidLabel,
                "Label \(label.id) is no longer the current label of post '\(label.postID)' (label \(current.map { "\($0.id)" } ?? "?") is newer); only the current label can be undone. Add a new label with `smugglewatch label` instead.")
        }
    }
}

extension SQLiteReviewQueueStore {
    // MARK: - Claims

    public func claimNext(for reviewer: String, lease: Duration, excluding itemIDs: [Int64]) async throws -> ReviewItem? {
        let path = self.path
        return try await write { db, now in try Self.claim(db, at: now, for: reviewer, lease: lease, excluding: itemIDs, path: path) }
    }

    /// The review session's keystroke in one transaction: one trip through the write lock
    /// instead of two, so reviewers queue half as long behind each other.
    public func addLabelAndClaimNext(
        postID: String, flags: [String], reviewer: String, note: String?, lease: Duration, excluding itemIDs: [Int64]
    ) async throws -> LabelAndNext {
        let flags = try StoreCoding.normalizedLabel(flags: flags, reviewer: reviewer, postID: postID)
        let (path, cache) = (self.path, knownFlagCache)
        return try await write { db, now in
            let label = try Self.insertLabel(db, at: now, postID: postID, flags: flags, reviewer: reviewer, note: note, cache: cache, path: path)
            return LabelAndNext(label: label, next: try Self.claim(db, at: now, for: reviewer, lease: lease, excluding: itemIDs, path: path))
        }
    }

    /// Claims the best claimable item not in `itemIDs` (inside a transaction): the highest
    /// priority among pending items and claims whose lease ran out.
    static func claim(
        _ db: Database, at now: Int64, for reviewer: String, lease: Duration, excluding itemIDs: [Int64], path: String
    ) throws -> ReviewItem? {
        // Two index range scans (the best pending item, the best lapsed claim) instead of one
        // OR query, which SQLite answers by sorting every pending item.
        let skip = itemIDs.isEmpty ? "" : "AND id NOT IN (SELECT value FROM json_each(?))"
        let excluded: StatementArguments = itemIDs.isEmpty ? [] : ["[" + itemIDs.map(String.init).joined(separator: ",") + "]"]
        let pending = try db.fetchRow(
            sql: "SELECT \(Self.itemColumns) FROM queue_items WHERE state = 'pending' \(skip) ORDER BY priority DESC, id LIMIT 1",
            arguments: excluded)
        let lapsed = try db.fetchRow(
            sql: """
                SELECT \(Self.itemColumns) FROM queue_items WHERE state = 'claimed' AND lease_expires_at <= ? \(skip)
                ORDER BY priority DESC, id LIMIT 1
                """, arguments: [now] + excluded)
        let candidates = try [pending, lapsed].compactMap { $0 }.map { try Self.item($0, path: path) }
        guard var item = candidates.min(by: { ($0.priority, -$0.id) > ($1.priority, -$1.id) }) else { return nil }
        var machine = ReviewItemStateMachine(item.state)
        var detail = ["lease": "\(Int(lease.timeInterval))s"]
        if !itemIDs.isEmpty { detail["skipping"] = "\(itemIDs.count)" }
        switch machine.claim(by: reviewer, at: Date(storeMilliseconds: now), lease: lease) {
        case .unavailable: return nil  // cannot happen under the write lock; be safe
        case .claim: break
        case .reclaimExpired(let previous, _): detail["expiredClaimBy"] = previous
        }
        try Self.store(machine.state, itemID: item.id, in: db)
        try Self.audit(db, at: now, actor: reviewer, action: "queue.claim", postID: item.postID, itemID: item.id, detail: detail)
        item.state = machine.state
        return item
    }
}
