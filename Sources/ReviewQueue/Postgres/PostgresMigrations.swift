import Logging
import PostgresNIO

/// Named, forward-only schema migrations for the PostgreSQL store; same names as SQLite's.
enum PostgresMigrations {
    static let all: [(name: String, statements: [String])] = [
        ("v1-core", [
            """
            CREATE TABLE posts (
                id TEXT PRIMARY KEY CHECK (id <> ''),
                json TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                raw_sha256 TEXT,
                fetched_at BIGINT,
                source_url TEXT,
                version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
                first_seen_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE TABLE models (version TEXT PRIMARY KEY, flags TEXT NOT NULL, registered_at BIGINT NOT NULL)",
            """
            CREATE TABLE predictions (
                id BIGSERIAL PRIMARY KEY,
                post_id TEXT NOT NULL REFERENCES posts(id),
                model_version TEXT NOT NULL,
                scores TEXT NOT NULL,
                decisions TEXT NOT NULL,
                evidence TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX predictions_by_post ON predictions(post_id, id)",
            """
            CREATE TABLE queue_items (
                id BIGSERIAL PRIMARY KEY,
                post_id TEXT NOT NULL REFERENCES posts(id),
                state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'decided')),
                priority DOUBLE PRECISION NOT NULL,
                reason TEXT NOT NULL,
                enqueued_at BIGINT NOT NULL,
                claimed_by TEXT,
                claimed_at BIGINT,
                lease_expires_at BIGINT,
                decided_by TEXT,
                decided_at BIGINT,
                CHECK (state <> 'claimed' OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL AND lease_expires_at IS NOT NULL)),
                CHECK (state <> 'decided' OR (decided_by IS NOT NULL AND decided_at IS NOT NULL))
            )
            """,
            "CREATE UNIQUE INDEX queue_items_one_open_per_post ON queue_items(post_id) WHERE state <> 'decided'",
            "CREATE INDEX queue_items_pending ON queue_items(priority DESC, id) WHERE state = 'pending'",
            "CREATE INDEX queue_items_claimed ON queue_items(priority DESC, id) WHERE state = 'claimed'",
            """
            CREATE TABLE labels (
                id BIGSERIAL PRIMARY KEY,
                post_id TEXT NOT NULL REFERENCES posts(id),
                flags TEXT NOT NULL,
                reviewer TEXT NOT NULL CHECK (reviewer <> ''),
                note TEXT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX labels_by_post ON labels(post_id, id)",
            """
            CREATE FUNCTION smugglewatch_labels_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'labels are append-only'; END $$
            """,
            """
            CREATE TRIGGER labels_append_only BEFORE UPDATE OR DELETE ON labels
            FOR EACH ROW EXECUTE FUNCTION smugglewatch_labels_append_only()
            """,
            """
            CREATE TABLE audit_log (
                id BIGSERIAL PRIMARY KEY,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                post_id TEXT,
                item_id BIGINT,
                detail TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_by_post ON audit_log(post_id, id)",
            """
            CREATE TABLE crawl_state (
                source TEXT PRIMARY KEY CHECK (source <> ''),
                cursor TEXT,
                etag TEXT,
                last_modified TEXT,
                last_run_at BIGINT,
                next_due_at BIGINT,
                consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
                last_error TEXT,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
            )
            """,
            "CREATE TABLE seen_ids (id TEXT PRIMARY KEY, source TEXT NOT NULL, first_seen_at BIGINT NOT NULL)",
        ]),
        // `smugglewatch review`: contact identifiers per post (from the latest prediction's
        // evidence) and undo records for labels, which stay append-only.
        ("v2-review-contacts-undo", [
            """
            CREATE TABLE post_contacts (
                post_id TEXT NOT NULL REFERENCES posts(id),
                value TEXT NOT NULL CHECK (value <> ''),
                kind TEXT NOT NULL,
                PRIMARY KEY (post_id, value, kind)
            )
            """,
            "CREATE INDEX post_contacts_by_value ON post_contacts(value, post_id)",
            """
            CREATE TABLE label_undos (
                label_id BIGINT PRIMARY KEY REFERENCES labels(id),
                reviewer TEXT NOT NULL CHECK (reviewer <> ''),
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE FUNCTION smugglewatch_label_undos_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'label undos are append-only'; END $$
            """,
            """
            CREATE TRIGGER label_undos_append_only BEFORE UPDATE OR DELETE ON label_undos
            FOR EACH ROW EXECUTE FUNCTION smugglewatch_label_undos_append_only()
            """,
        ]),
    ]

    /// Applies missing migrations in one transaction under an advisory lock, so concurrent first
    /// opens by several workers are safe.
    static func migrate(_ connection: PostgresConnection, location: String, now: Int64, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(7272727272)", logger: logger)
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: logger)
        var applied = Set<String>()
        for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
            applied.insert(name)
        }
        if let newer = applied.subtracting(all.map(\.name)).sorted().first {
            throw ReviewQueueError(
                .newerSchema,
                "The database \(location) was migrated by a newer smugglewatch (migration '\(newer)' is unknown here). Upgrade smugglewatch to use it.",
                location: location)
        }
        for migration in all where !applied.contains(migration.name) {
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), \(now))", logger: logger)
        }
    }
}
