import Foundation
import GRDB

/// Does most of the WAL checkpoint work off the commit path.
///
/// SQLite checkpoints inside the commit that takes the WAL past 1,000 pages: that commit copies
/// every page written since the last checkpoint into the database file while the other writers
/// wait behind it, and those waits were the slowest claim + label round trips. This thread runs
/// a PASSIVE checkpoint on its own connection every `interval`; passive checkpoints never take
/// the write lock, so writers go on meanwhile. The commit's own checkpoint then finds the pages
/// already copied and only finishes the job (and lets the WAL start over), so it stays short.
final class WALCheckpointer: @unchecked Sendable {
    private let connection: DatabaseQueue
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let stopping = Flag()
    private let stopped = Flag()

    init(path: String, interval: Duration) throws {
        var configuration = GRDB.Configuration()
        configuration.label = "smugglewatch-checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        // The thread holds its parts, not `self`, so a store dropped without close() still
        // stops it from deinit.
        let (connection, wake, done, stopping) = (connection, wake, done, stopping)
        let thread = Thread {
            while wake.wait(timeout: .now() + seconds) == .timedOut, !stopping.isSet {
                // Busy (another checkpoint running) or I/O trouble: the next round tries again,
                // and the commits' own checkpoints still run.
                _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            }
            done.signal()
        }
        thread.name = "smugglewatch WAL checkpoints"
        thread.start()
    }

    /// Stops the thread and closes its connection (once; later calls do nothing).
    func stop() {
        guard !stopped.testAndSet() else { return }
        stopping.set()
        wake.signal()
        done.wait()
        try? connection.close()
    }

    deinit { stop() }
}
