import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lines up the writers of several processes on one database file (reviewers each running
/// `smugglewatch review`, a crawl beside them): each write transaction first takes an exclusive
/// `flock` on `<database>-writer.lock`.
///
/// SQLite's own write lock cannot be waited for, only polled: a process that finds it taken
/// sleeps and tries again (``SQLiteBusyPolicy``). With eight reviewer processes back to back the
/// pollers took the CPU from the writer they waited for, and an unlucky one lost many polls in a
/// row: claim + label p99 was 35 ms. A process waiting for the `flock` sleeps in the kernel and is
/// woken when the lock is let go: p99 16–28 ms in runs like those.
///
/// This is an ordering aid, never what keeps the data safe: SQLite's lock still does that. A lock
/// file that cannot be opened (a read-only folder) means no turns; a wait longer than the busy
/// timeout (a process stopped while holding its turn) gives up the turn and goes on to SQLite's
/// lock, which then decides as before.
final class WriterTurns: @unchecked Sendable {
    private let fd: Int32
    private let timeout: Duration

    /// Nil when the lock file cannot be opened or created.
    init?(databasePath: String, timeout: Duration) {
        // Read-only is enough for flock, so reviewers running as other users share the file too.
        fd = open(databasePath + "-writer.lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0o666)
        if fd < 0 { return nil }
        self.timeout = timeout
    }

    deinit { close(fd) }

    /// Waits for this process's turn; false when it gave up after the timeout (then the caller
    /// goes on without it, and must not call ``end()``).
    func begin() -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        // Wait in the kernel on another thread, so that the wait can end at the timeout. The
        // thread has its own descriptor of the same open file (the same lock): should it still be
        // waiting when the store closes, it never touches a number reused by another file.
        let own = dup(fd)
        guard own >= 0 else { return false }
        let wait = Wait()
        Thread.detachNewThread {
            var result: Int32
            repeat { result = flock(own, LOCK_EX) } while result != 0 && errno == EINTR
            if !wait.acquired(result == 0) { flock(own, LOCK_UN) }
            close(own)
        }
        return wait.result(within: timeout)
    }

    func end() { flock(fd, LOCK_UN) }

    /// The hand-over between the waiting thread and the writer: whoever comes second learns
    /// whether the other side already gave up.
    private final class Wait: @unchecked Sendable {
        private let lock = NSLock()
        private let done = DispatchSemaphore(value: 0)
        private var gotIt: Bool?
        private var abandoned = false

        /// From the waiting thread: false when the writer has given up (release the lock then).
        func acquired(_ ok: Bool) -> Bool {
            lock.withLock {
                gotIt = ok
                done.signal()
                return !abandoned
            }
        }

        func result(within timeout: Duration) -> Bool {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            _ = done.wait(timeout: .now() + seconds)
            return lock.withLock {
                if let gotIt { return gotIt }
                abandoned = true
                return false
            }
        }
    }
}
