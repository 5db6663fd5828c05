import Foundation
import GRDB

/// Group commit: the writes that queue up while one transaction runs go into the next
/// transaction together, each in its own savepoint.
///
/// SQLite has one writer. With eight reviewers (or a crawl and reviewers) in one process, each
/// write used to be its own transaction: a hop to the writer thread, the write lock, and a commit
/// that appends every page it touched to the WAL, although consecutive labels and claims touch
/// the same few pages (the tail of `labels`, `audit_log` and their indexes). A group pays for the
/// hop, the lock and those pages once.
///
/// Each write still sees the ones before it in the group and is all or nothing: a write that
/// throws rolls back its savepoint only, and its caller gets the error. Callers are resumed only
/// after the group's COMMIT, so nothing is reported saved before it is. Should an error end the
/// whole transaction (SQLite rolls back by itself on a full disk or an I/O error), the writes that
/// had succeeded in it are run again in the next group.
final class GroupCommit: @unchecked Sendable {
    /// One caller's write: `run` computes and keeps its result; `finish` resumes the caller.
    struct Pending {
        let run: (Database, Int64) throws -> Void
        let finish: ((any Error)?) -> Void
    }

    private let pool: DatabasePool
    private let clock: any StoreClock
    /// Other processes' writers on the same file wait in line with this one (nil: no lock file).
    private let turns: WriterTurns?
    private let lock = NSLock()
    // Guarded by `lock`.
    private var queue: [Pending] = []
    private var draining = false
    private var committed = 0

    /// Transactions committed so far (tests and benchmarks compare it with the writes).
    var transactions: Int { lock.withLock { committed } }

    init(pool: DatabasePool, clock: any StoreClock, turns: WriterTurns?) {
        self.pool = pool
        self.clock = clock
        self.turns = turns
    }

    /// Runs `body` in the next group; returns its result once the group is committed.
    func write<T>(_ body: @escaping (Database, Int64) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let result = ResultSlot<T>()
            submit(
                Pending(
                    run: { db, now in result.value = try body(db, now) },
                    finish: { error in
                        if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: result.value!) }
                    }))
        }
    }

    private func submit(_ write: Pending) {
        let start = lock.withLock {
            queue.append(write)
            defer { draining = true }
            return !draining
        }
        guard start else { return }
        pool.asyncWriteWithoutTransaction { [self] db in drain(db) }
    }

    /// Runs groups on the writer connection until the queue is empty.
    private func drain(_ db: Database) {
        while true {
            let group: [Pending] = lock.withLock {
                defer { queue = [] }
                if queue.isEmpty { draining = false }
                return queue
            }
            if group.isEmpty { return }
            let (outcomes, retry) = commit(group, in: db)
            if !retry.isEmpty { lock.withLock { queue.insert(contentsOf: retry, at: 0) } }
            for (write, error) in outcomes { write.finish(error) }
        }
    }

    /// One transaction for `group`. Returns each finished write with its error (nil: committed)
    /// and the writes to run again.
    private func commit(_ group: [Pending], in db: Database) -> (finished: [(Pending, (any Error)?)], retry: [Pending]) {
        var errors: [(any Error)?] = Array(repeating: nil, count: group.count)
        var ran = 0
        var broken: Int?
        let turn = turns?.begin() ?? false
        defer { if turn { turns?.end() } }
        do {
            try db.inTransaction(.immediate) {
                let now = clock.now.storeMilliseconds
                for (k, write) in group.enumerated() {
                    ran = k + 1
                    do {
                        try db.inSavepoint {
                            try write.run(db, now)
                            return .commit
                        }
                    } catch {
                        errors[k] = error
                        // SQLite ended the transaction itself: the rest cannot go on in it.
                        if !db.isInsideTransaction {
                            broken = k
                            break
                        }
                    }
                }
                return broken == nil ? .commit : .rollback
            }
        } catch {
            // BEGIN or COMMIT failed: nothing of the group was written.
            return (group.map { ($0, error) }, [])
        }
        guard let broken else {
            lock.withLock { committed += 1 }
            return (Array(zip(group, errors)), [])
        }
        // The writes before `broken` were rolled back with it, those after it never ran.
        return ([(group[broken], errors[broken])], Array(group[..<broken]) + Array(group[ran...]))
    }
}

/// A write's result, set on the writer thread before the caller is resumed.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}
