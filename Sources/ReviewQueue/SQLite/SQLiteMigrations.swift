import GRDB

/// Named, forward-only schema migrations for the SQLite store. Never edit a shipped migration:
/// append a new one. The names match the PostgreSQL migrations.
enum SQLiteMigrations {
    static let all: [(name: String, sql: String)] = [
        ("v1-core", """
        CREATE TABLE posts (
            id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
            json TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            raw_sha256 TEXT,
            fetched_at INTEGER,
            source_url TEXT,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            first_seen_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE models (
            version TEXT PRIMARY KEY NOT NULL,
            flags TEXT NOT NULL,
            registered_at INTEGER NOT NULL
        );
        CREATE TABLE predictions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            post_id TEXT NOT NULL REFERENCES posts(id),
            model_version TEXT NOT NULL,
            scores TEXT NOT NULL,
            decisions TEXT NOT NULL,
            evidence TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX predictions_by_post ON predictions(post_id, id);
        CREATE TABLE queue_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            post_id TEXT NOT NULL REFERENCES posts(id),
            state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'decided')),
            priority REAL NOT NULL,
            reason TEXT NOT NULL,
            enqueued_at INTEGER NOT NULL,
            claimed_by TEXT,
            claimed_at INTEGER,
            lease_expires_at INTEGER,
            decided_by TEXT,
            decided_at INTEGER,
            CHECK (state <> 'claimed' OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL AND lease_expires_at IS NOT NULL)),
            CHECK (state <> 'decided' OR (decided_by IS NOT NULL AND decided_at IS NOT NULL))
        );
        CREATE UNIQUE INDEX queue_items_one_open_per_post ON queue_items(post_id) WHERE state <> 'decided';
        CREATE INDEX queue_items_by_priority ON queue_items(state, priority DESC, id);
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            post_id TEXT NOT NULL REFERENCES posts(id),
            flags TEXT NOT NULL,
            reviewer TEXT NOT NULL CHECK (reviewer <> ''),
            note TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX labels_by_post ON labels(post_id, id);
        CREATE TRIGGER labels_no_update BEFORE UPDATE ON labels BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
        CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            post_id TEXT,
            item_id INTEGER,
            detail TEXT NOT NULL
        );
        CREATE INDEX audit_by_post ON audit_log(post_id, id);
        CREATE TABLE crawl_state (
            source TEXT PRIMARY KEY NOT NULL CHECK (source <> ''),
            cursor TEXT,
            etag TEXT,
            last_modified TEXT,
            last_run_at INTEGER,
            next_due_at INTEGER,
            consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
            last_error TEXT,
            lease_owner TEXT,
            lease_expires_at INTEGER,
            CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
        );
        CREATE TABLE seen_ids (
            id TEXT PRIMARY KEY NOT NULL,
            source TEXT NOT NULL,
            first_seen_at INTEGER NOT NULL
        );
        """),
        // `smugglewatch review`: contact identifiers per post (from the latest prediction's
        // evidence) and undo records for labels, which stay append-only.
        ("v2-review-contacts-undo", """
        CREATE TABLE post_contacts (
            post_id TEXT NOT NULL REFERENCES posts(id),
            value TEXT NOT NULL CHECK (value <> ''),
            kind TEXT NOT NULL,
            PRIMARY KEY (post_id, value, kind)
        );
        CREATE INDEX post_contacts_by_value ON post_contacts(value, post_id);
        CREATE TABLE label_undos (
            label_id INTEGER PRIMARY KEY NOT NULL REFERENCES labels(id),
            reviewer TEXT NOT NULL CHECK (reviewer <> ''),
            created_at INTEGER NOT NULL
        );
        CREATE TRIGGER label_undos_no_update BEFORE UPDATE ON label_undos BEGIN SELECT RAISE(ABORT, 'label undos are append-only'); END;
        CREATE TRIGGER label_undos_no_delete BEFORE DELETE ON label_undos BEGIN SELECT RAISE(ABORT, 'label undos are append-only'); END;
        """),
    ]

    /// Applies the missing migrations in one immediate transaction, so concurrent first opens by
    /// several processes are safe.
    static func migrate(_ db: Database, path: String, now: Int64) throws {
        try db.inTransaction(.immediate) {
            let hasTable = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')") ?? false
            if !hasTable {
                let others = try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 3")
                if !others.isEmpty {
                    throw ReviewQueueError(
                        .corrupt,
                        "'\(path)' is a SQLite database of another program (tables \(others.joined(separator: ", "))), not a SmuggleWatch store. Pass another --db path.",
                        location: path)
                }
                try db.execute(sql: "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)")
            }
            let applied = Set(try String.fetchAll(db, sql: "SELECT name FROM schema_migrations"))
            let known = Set(all.map(\.name))
            if let newer = applied.subtracting(known).sorted().first {
                throw ReviewQueueError(
                    .newerSchema,
                    "'\(path)' was migrated by a newer smugglewatch (migration '\(newer)' is unknown here). Upgrade smugglewatch to use it.",
                    location: path)
            }
            for migration in all where !applied.contains(migration.name) {
                try db.execute(sql: migration.sql)
                try db.execute(
                    sql: "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", arguments: [migration.name, now])
            }
            return .commit
        }
    }
}
