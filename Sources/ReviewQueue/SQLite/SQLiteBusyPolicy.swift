import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a connection waits for another process's write lock.
///
/// SQLite's own busy timeout sleeps 1, 2, 5, 10, 15, 20, 25, 25, 50, 50, 100 ms between tries,
/// so with eight reviewers claiming at once a waiter often oversleeps a lock that was held for well
/// under a millisecond: that made the claim + label p99 ~30 ms. These waits start at 100 µs and
/// grow to 2 ms, and the caller still gives up after `timeout`.
struct SQLiteBusyPolicy: Sendable {
    let timeout: Duration

    /// The sleep before try `n` (0-based), in microseconds.
    static func sleepMicroseconds(beforeTry n: Int) -> UInt32 {
        switch n {
        case ..<20: 100
        case ..<60: 500
        default: 2_000
        }
    }

    /// Total microseconds slept before try `n`: closed form of the schedule above.
    static func sleptMicroseconds(beforeTry n: Int) -> Int64 {
        let n = Int64(n)
        let first = min(n, 20) * 100
        let second = max(0, min(n, 60) - 20) * 500
        let rest = max(0, n - 60) * 2_000
        return first + second + rest
    }

    /// The busy callback: sleep and retry while the total wait stays under `timeout`.
    func shouldRetry(afterTries tries: Int) -> Bool {
        let limit = timeout.components.seconds * 1_000_000 + timeout.components.attoseconds / 1_000_000_000_000
        guard Self.sleptMicroseconds(beforeTry: tries + 1) <= limit else { return false }
        usleep(Self.sleepMicroseconds(beforeTry: tries))
        return true
    }
}
