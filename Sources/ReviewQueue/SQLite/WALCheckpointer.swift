import Foundation
import GRDB
import GRDBSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps WAL checkpoints, and the disk syncs they bring, off the commit path.
///
/// With `synchronous = NORMAL` a commit writes its pages to the WAL without syncing, but two
/// things do sync: a checkpoint (the WAL before copying, the database after), and the first
/// commit after a complete checkpoint, which starts the WAL over and syncs its new header.
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages, and
/// checkpointing often (as a timer would) makes almost every commit one that starts the WAL
/// over: either way some claims and labels waited for a disk sync (2 ms typical, 10–100 ms on a
/// busy disk), and those were the slowest round trips.
///
/// So every connection of the store gets a WAL hook in place of the automatic checkpoint
/// (``install(on:trigger:)``). After each commit it only compares the WAL's size: at
/// ``Thresholds/background`` it wakes this thread, which runs a PASSIVE checkpoint on its own
/// connection (passive checkpoints never take the write lock, so writers go on meanwhile). The
/// WAL therefore starts over once per ~16 MB of writes, not once per checkpoint timer.
///
/// The WAL starts over only when a writer finds it wholly copied and no other connection reading
/// it. With writers in several processes (reviewers each running `smugglewatch review`), one
/// always commits while another's passive checkpoint runs, so that never happened: the WAL grew
/// by every commit (280 MB in one benchmark run) and each commit past 16,000 pages ran a
/// checkpoint of its own, with its syncs. So once the WAL reaches ``Thresholds/restart`` the
/// thread follows its passive checkpoint with a RESTART checkpoint: it holds the write lock while
/// it copies what the passive one left and waits (briefly, see `restartWait`) for readers to
/// move on, so that the next writer starts the WAL over.
final class WALCheckpointer: @unchecked Sendable {
    /// When to checkpoint, in WAL pages (4 KB each).
    struct Thresholds: Sendable, Hashable {
        /// The thread is woken for a passive checkpoint: 16 MB.
        var background: Int32 = 4_000
        /// The thread follows it with a RESTART checkpoint: 64 MB.
        var restart: Int32 = 16_000
    }

    /// How long a RESTART checkpoint may hold up writers waiting for the write lock and for
    /// readers; past it, it gives up, and the thread tries again after `restartPause`.
    static let restartWait: Duration = .milliseconds(50)
    static let restartPause: Duration = .milliseconds(500)

    /// What the connections' WAL hooks share with the thread.
    final class Trigger: @unchecked Sendable {
        let thresholds: Thresholds
        init(_ thresholds: Thresholds) { self.thresholds = thresholds }

        let wake = DispatchSemaphore(value: 0)
        /// Set by the hook that wakes the thread, cleared by the thread before it checkpoints,
        /// so the many commits past the threshold wake it once.
        let pending = Flag()
        let stopping = Flag()

        /// The WAL hook body: runs after every commit, on the committing connection.
        func committed(_ connection: OpaquePointer?, database: UnsafePointer<CChar>?, frames: Int32) {
            if frames >= thresholds.background, !pending.testAndSet() {
                wake.signal()
            }
        }
    }

    let trigger: Trigger
    private let connection: DatabaseQueue
    private let done = DispatchSemaphore(value: 0)
    private let stopped = Flag()

    /// Installs `trigger`'s WAL hook on `db` (call it from `prepareDatabase`, so every connection
    /// of the pool has it). It replaces SQLite's automatic checkpoint.
    static func install(on db: Database, trigger: Trigger) {
        // Unretained: the pool's configuration closure that calls this holds `trigger` as long as
        // any of its connections lives.
        let context = Unmanaged.passUnretained(trigger).toOpaque()
        sqlite3_wal_hook(
            db.sqliteConnection,
            { context, connection, database, frames in
                Unmanaged<Trigger>.fromOpaque(context!).takeUnretainedValue().committed(connection, database: database, frames: frames)
                return SQLITE_OK
            }, context)
    }

    init(path: String, trigger: Trigger) throws {
        var configuration = GRDB.Configuration()
        configuration.label = "smugglewatch-checkpoint"
        // Passive checkpoints never wait; a RESTART checkpoint waits this long at most.
        let busy = SQLiteBusyPolicy(timeout: Self.restartWait)
        configuration.busyMode = .callback { tries in busy.shouldRetry(afterTries: tries) }
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.trigger = trigger
        // The thread holds its parts, not `self`, so a store dropped without close() still
        // stops it from deinit.
        let (connection, done) = (connection, done)
        let thread = Thread {
            let clock = ContinuousClock()
            var nextRestart = clock.now
            while true {
                trigger.wake.wait()
                if trigger.stopping.isSet { break }
                trigger.pending.clear()
                // Busy (another process's checkpoint) or I/O trouble: the next wake tries again.
                let frames = (try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) })?.walFrameCount ?? 0
                if frames >= Int(trigger.thresholds.restart), clock.now >= nextRestart {
                    do {
                        try connection.writeWithoutTransaction { _ = try $0.checkpoint(.restart) }
                    } catch {
                        // Readers or writers kept it waiting for `restartWait`: let them be a while.
                        nextRestart = clock.now + Self.restartPause
                    }
                }
                // Commits during a checkpoint wake the thread again at once; a short pause keeps
                // back-to-back checkpoints (each with its syncs) from hogging the disk.
                usleep(10_000)
            }
            done.signal()
        }
        thread.name = "smugglewatch WAL checkpoints"
        thread.start()
    }

    /// Stops the thread and closes its connection (once; later calls do nothing).
    func stop() {
        guard !stopped.testAndSet() else { return }
        trigger.stopping.set()
        trigger.wake.signal()
        done.wait()
        try? connection.close()
    }

    deinit { stop() }
}
