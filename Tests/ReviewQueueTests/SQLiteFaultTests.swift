import Foundation
import GRDB
import Posts
@testable import ReviewQueue
import Testing

/// A locked, read-only, corrupt or foreign database file gives a clear error naming the file, and
/// nothing is half-written.
@Suite("SQLite store faults")
struct SQLiteFaultTests {
    @Test("a file that is not a database is refused, naming the file")
    func corruptFile() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("garbage.sqlite").path
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SQLiteReviewQueueStore(path: path)
            Issue.record("opened a garbage file")
        } catch let error as ReviewQueueError {
            #expect(error.code == .corrupt)
            #expect(error.message.hasPrefix("The database '\(path)' is corrupt or not a SQLite file (file is not a database)."))
            #expect(error.message.hasSuffix("Move it away and restore a backup, or pass another --db."))
        }
    }

    @Test("another program's SQLite database is refused")
    func foreignDatabase() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("other.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "CREATE TABLE contacts (name TEXT)") }
        try queue.close()
        #expect {
            _ = try SQLiteReviewQueueStore(path: path)
        } throws: { error in
            (error as? ReviewQueueError)?.message
                == "'\(path)' is a SQLite database of another program (tables contacts), not a SmuggleWatch store. Pass another --db path."
        }
    }

    @Test("a database migrated by a newer version is refused")
    func newerSchema() async throws {
        let temp = try makeTemporarySQLiteStore()
        await temp.store.close()
        let queue = try DatabaseQueue(path: temp.url)
        try await queue.write { try $0.execute(sql: "INSERT INTO schema_migrations VALUES ('v99-future', 0)") }
        try queue.close()
        #expect(throws: ReviewQueueError.self) { _ = try SQLiteReviewQueueStore(path: temp.url) }
        await temp.cleanup()
    }

    @Test("the busy wait starts with short sleeps and stops at the timeout")
    func busyPolicy() {
        var total: Int64 = 0
        for n in 0..<200 {
            #expect(SQLiteBusyPolicy.sleptMicroseconds(beforeTry: n) == total, "closed form at try \(n)")
            total += Int64(SQLiteBusyPolicy.sleepMicroseconds(beforeTry: n))
        }
        #expect(SQLiteBusyPolicy.sleepMicroseconds(beforeTry: 0) <= 100, "a sub-millisecond lock costs a sub-millisecond wait")
        // The tries it allows add up to the timeout, not more, not much less.
        let limit: Int64 = 200_000
        let policy = SQLiteBusyPolicy(timeout: .microseconds(limit))
        var allowed = 0
        while SQLiteBusyPolicy.sleptMicroseconds(beforeTry: allowed + 1) <= limit { allowed += 1 }
        #expect(SQLiteBusyPolicy.sleptMicroseconds(beforeTry: allowed) > limit - 2_000)
        #expect(policy.shouldRetry(afterTries: allowed - 1))
        #expect(!policy.shouldRetry(afterTries: allowed))
    }

    @Test("a locked file times out with a clear error and no partial label")
    func lockedFile() async throws {
        let temp = try makeTemporarySQLiteStore(configuration: .init(busyTimeout: .milliseconds(200)))
        defer { Task { await temp.close() } }
        try await temp.store.upsertPost(samplePost("test:a"))
        try await temp.store.enqueue("test:a", priority: 1)

        // Another process-like connection holds the write lock.
        var config = Configuration()
        config.allowsUnsafeTransactions = true  // the lock outlives one access on purpose
        let other = try DatabaseQueue(path: temp.url, configuration: config)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        do {
            try await temp.store.addLabel(postID: "test:a", flags: ["guidance"], reviewer: "alice")
            Issue.record("label stored while the file was locked")
        } catch let error as ReviewQueueError {
            #expect(error.code == .databaseLocked)
            #expect(error.message.hasPrefix("The database '\(temp.url)' is locked by another process"))
        }
        try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try other.close()
        #expect(try await temp.store.labels(for: "test:a").isEmpty)
        #expect(try await temp.store.items(in: "pending", limit: 5).count == 1, "the item was not decided either")
        try await temp.store.addLabel(postID: "test:a", flags: ["guidance"], reviewer: "alice")
        #expect(try await temp.store.items(in: "decided", limit: 5).count == 1)
    }

    @Test("a read-only file gives a clear error naming the file")
    func readOnlyFile() async throws {
        guard geteuid() != 0 else {
            // root ignores file modes; check the mapping instead of the file system.
            let mapped = SQLiteReviewQueueStore.mapError(DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database"), path: "/x/y.sqlite")
            let error = try #require(mapped as? ReviewQueueError)
            #expect(error.code == .readOnly)
            #expect(error.message.hasPrefix("The database '/x/y.sqlite' is read-only (attempt to write a readonly database)."))
            print("◇ read-only file test ran as a mapping check: root ignores file permissions")
            return
        }
        let temp = try makeTemporarySQLiteStore()
        await temp.store.close()
        let folder = (temp.url as NSString).deletingLastPathComponent
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: temp.url)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
            Task { await temp.cleanup() }
        }
        #expect {
            let store = try SQLiteReviewQueueStore(path: temp.url)
            _ = store
        } throws: { error in
            guard let error = error as? ReviewQueueError else { return false }
            return (error.code == .readOnly || error.code == .cannotOpen) && error.message.contains(temp.url)
        }
    }

    @Test("open(url:) picks the backend from the value")
    func factory() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/dir/store.sqlite").path
        let store = try await ReviewQueueStores.open(url: path)
        #expect(store is SQLiteReviewQueueStore)
        #expect(store.location == path)
        await store.close()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(ReviewQueueStores.resolve(nil, environment: [:]) == ".smugglewatch/smugglewatch.sqlite")
        #expect(ReviewQueueStores.resolve(nil, environment: ["SMUGGLEWATCH_DB": "/tmp/x.sqlite"]) == "/tmp/x.sqlite")
        #expect(ReviewQueueStores.resolve("postgres://u@h/db", environment: ["SMUGGLEWATCH_DB": "/tmp/x.sqlite"]) == "postgres://u@h/db")
        await #expect(throws: ReviewQueueError.self) { _ = try await ReviewQueueStores.open(url: "mysql://u@h/db") }
        do {
            _ = try await ReviewQueueStores.open(url: "postgres://u:secret@127.0.0.1/")
            Issue.record("opened a URL without a database")
        } catch let error as ReviewQueueError {
            #expect(error.code == .invalidURL)
            #expect(!error.message.contains("secret"), "passwords stay out of messages")
        }
        let url = try PostgresURL("postgres://alice:pw@db.example:6543/reviews?sslmode=require")
        #expect(url.host == "db.example" && url.port == 6543 && url.username == "alice" && url.password == "pw" && url.database == "reviews")
        #expect(url.description == "postgres://alice@db.example:6543/reviews?sslmode=require")
    }

    @Test("an unreachable PostgreSQL gives a clear error naming the URL")
    func unreachablePostgres() async throws {
        do {
            _ = try await PostgresReviewQueueStore.open(url: "postgres://nobody@127.0.0.1:1/none", connectTimeout: .seconds(3))
            Issue.record("connected to port 1")
        } catch let error as ReviewQueueError {
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("postgres://nobody@127.0.0.1:1/none"))
        }
    }
}

/// WAL checkpoints run on the store's own thread once the WAL is big enough; past the larger
/// bound the thread makes sure the WAL starts over, whoever else writes to the file.
@Suite("SQLite WAL checkpoints")
struct WALCheckpointTests {
    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Posts of about two pages each, so the WAL grows by a known amount per commit.
    func writePosts(_ store: SQLiteReviewQueueStore, _ range: Range<Int>) async throws {
        let filler = String(repeating: "river crossing report, weather and news. ", count: 200)
        for i in range {
            try await store.upsertPost(Post(id: "wal:\(i)", platform: "test", description: "\(i) \(filler)"))
        }
    }

    @Test("the thread copies the WAL into the database after the background threshold; the WAL stays under the restart bound")
    func backgroundCheckpoints() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("wal.sqlite").path
        var configuration = SQLiteReviewQueueStore.Configuration()
        configuration.walCheckpoints = .init(background: 40, restart: 400)
        let store = try SQLiteReviewQueueStore(path: path, configuration: configuration)
        let empty = fileSize(path)

        // ~60 pages: past the background threshold, far below the restart one. Only the thread
        // can have copied them into the database file.
        try await writePosts(store, 0..<30)
        var copied = false
        for _ in 0..<100 where !copied {
            try await Task.sleep(for: .milliseconds(50))
            copied = fileSize(path) > empty + 100_000
        }
        #expect(copied, "database file still \(fileSize(path)) bytes (empty: \(empty)); WAL \(fileSize(path + "-wal")) bytes")

        // Many more commits: the WAL file stays near the restart bound (plus the commits made
        // while the thread gets to it), where SQLite's own automatic checkpoint would let it
        // reach 1,000 pages.
        try await writePosts(store, 30..<600)
        let wal = fileSize(path + "-wal")
        #expect(wal > 0 && wal < 600 * (4096 + 24), "WAL is \(wal) bytes")
        let stored = try await store.stats().posts
        #expect(stored == 600)
        await store.close()
    }

    @Test("the WAL starts over while four stores on one file write at once (as reviewer processes do)")
    func walRestartsWithSeveralWriters() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("wal.sqlite").path
        var configuration = SQLiteReviewQueueStore.Configuration()
        configuration.walCheckpoints = .init(background: 40, restart: 200)
        // Stores on one file have their own connections and checkpoint threads, as processes
        // have. One's passive checkpoint never caught up with the others' commits, so none could
        // start the WAL over, and it grew by every commit (to ~8,600 pages here).
        let stores = try (0..<4).map { _ in try SQLiteReviewQueueStore(path: path, configuration: configuration) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (k, store) in stores.enumerated() {
                group.addTask {
                    for i in 0..<1_000 {
                        try await store.write { db, _ in
                            try db.execute(sql: "INSERT INTO seen_ids (id, source, first_seen_at) VALUES (?, 'wal', 0)", arguments: ["w:\(k):\(i)"])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        // The WAL file keeps its largest size, which stays near the bound.
        let wal = fileSize(path + "-wal")
        #expect(wal > 0 && wal < 500 * (4096 + 24), "WAL is \(wal) bytes")
        #expect(try await stores[0].read { try Int.fetchOne($0, sql: "SELECT count(*) FROM seen_ids") } == 4_000)
        for store in stores { await store.close() }
    }
}

/// Writes that queue up behind a running transaction share the next one, each all or nothing.
@Suite("SQLite group commit")
struct GroupCommitTests {
    struct Refused: Error {}

    /// A store, and a write that holds the writer for a moment so the next writes queue up.
    func storeWithQueuedWrites(
        _ writes: Int, body: @escaping @Sendable (Int, Database) throws -> Void
    ) async throws -> (SQLiteReviewQueueStore, URL, [Result<Int, any Error>]) {
        let folder = try temporaryDirectory()
        let store = try SQLiteReviewQueueStore(path: folder.appendingPathComponent("g.sqlite").path)
        let results = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            group.addTask {
                do {
                    _ = try await store.write { _, _ in usleep(300_000) }
                    return (-1, .success(-1))
                } catch { return (-1, .failure(error)) }
            }
            try? await Task.sleep(for: .milliseconds(50))
            for k in 0..<writes {
                group.addTask {
                    do {
                        return (k, .success(try await store.write { db, _ in try body(k, db); return k }))
                    } catch { return (k, .failure(error)) }
                }
            }
            var out: [Result<Int, any Error>?] = Array(repeating: nil, count: writes)
            for await (k, result) in group where k >= 0 { out[k] = result }
            return out.map { $0! }
        }
        return (store, folder, results)
    }

    func insert(_ k: Int, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO seen_ids (id, source, first_seen_at) VALUES (?, 'group', 0)", arguments: ["g:\(k)"])
    }

    func storedIDs(_ store: SQLiteReviewQueueStore) async throws -> Set<String> {
        Set(try await store.read { db in try String.fetchAll(db, sql: "SELECT id FROM seen_ids WHERE source = 'group'") })
    }

    @Test("a write that throws rolls back only itself; the others in its group are committed")
    func failingWriteInGroup() async throws {
        let (store, folder, results) = try await storeWithQueuedWrites(12) { k, db in
            try self.insert(k, db)
            if k % 4 == 1 { throw Refused() }  // after its insert: the savepoint must undo it
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        for (k, result) in results.enumerated() {
            switch result {
            case .success(let value): #expect(k % 4 != 1 && value == k)
            case .failure(let error): #expect(k % 4 == 1 && error is Refused, "\(k): \(error)")
            }
        }
        #expect(try await storedIDs(store) == Set((0..<12).filter { $0 % 4 != 1 }.map { "g:\($0)" }))
        // They queued up behind the slow write: far fewer transactions than writes.
        #expect(store.groupCommit.transactions < 8, "\(store.groupCommit.transactions) transactions")
        await store.close()
    }

    @Test("a write that ends the whole transaction fails alone; the writes rolled back with it run again, once")
    func brokenTransactionIsRetried() async throws {
        let (store, folder, results) = try await storeWithQueuedWrites(10) { k, db in
            try self.insert(k, db)
            if k == 5 {
                // As SQLite does by itself on a full disk or an I/O error.
                try db.execute(sql: "ROLLBACK")
                throw Refused()
            }
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        for (k, result) in results.enumerated() {
            switch result {
            case .success(let value): #expect(k != 5 && value == k)
            case .failure: #expect(k == 5)
            }
        }
        #expect(try await storedIDs(store) == Set((0..<10).filter { $0 != 5 }.map { "g:\($0)" }))
        #expect(store.groupCommit.transactions < 8, "\(store.groupCommit.transactions) transactions")
        await store.close()
    }
}

/// Writers in several processes on one file take turns through `<database>-writer.lock`.
@Suite("SQLite writer turns")
struct WriterTurnsTests {
    /// Takes the writer lock as another process would: its own open file, so its own `flock`.
    func holdWriterLock(of path: String) throws -> Int32 {
        let fd = open(path + "-writer.lock", O_RDONLY)
        try #require(fd >= 0, "no lock file next to \(path)")
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd
    }

    @Test("a write waits while another process has the turn, and goes on when it lets go")
    func waitsForTheTurn() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("turns.sqlite").path
        let store = try SQLiteReviewQueueStore(path: path)
        let fd = try holdWriterLock(of: path)
        let finished = Flag()
        let write = Task {
            try await store.upsertPost(Post(id: "turn:1", platform: "test", description: "waits"))
            finished.set()
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!finished.isSet, "the write did not wait for the other process's turn")
        flock(fd, LOCK_UN)
        close(fd)
        try await write.value
        #expect(finished.isSet)
        #expect(try await store.stats().posts == 1)
        await store.close()
    }

    @Test("a turn held past the busy timeout is given up, and SQLite's own lock decides")
    func givesUpAfterTheTimeout() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("turns.sqlite").path
        let store = try SQLiteReviewQueueStore(path: path, configuration: .init(busyTimeout: .milliseconds(300)))
        // A process stopped while holding its turn: it never lets go during this test.
        let fd = try holdWriterLock(of: path)
        defer { close(fd) }
        let clock = ContinuousClock()
        let start = clock.now
        try await store.upsertPost(Post(id: "turn:1", platform: "test", description: "goes on"))
        // It got here with the turn still held: it gave the turn up (no upper bound on the time:
        // with the whole suite running, resuming a task alone can take seconds).
        let waited = clock.now - start
        #expect(waited >= .milliseconds(300), "waited \(waited)")
        #expect(try await store.stats().posts == 1)
        // The next write does not wait again for the abandoned turn's thread to be stuck: it
        // waits its own timeout, and succeeds the same way.
        try await store.upsertPost(Post(id: "turn:2", platform: "test", description: "again"))
        #expect(try await store.stats().posts == 2)
        await store.close()
    }
}
