public import Foundation

/// The wall clock a store stamps records and leases with (STYLE.md F2).
///
/// Leases live in the database and are compared across processes and machines, so they need wall
/// time (`Date`), not a monotonic `Clock` instant. Tests inject a ``ManualStoreClock``.
public protocol StoreClock: Sendable {
    var now: Date { get }
}

/// The system wall clock.
public struct SystemStoreClock: StoreClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that moves only when told to: for lease-expiry tests.
public final class ManualStoreClock: StoreClock, @unchecked Sendable {
    // Guarded by `lock` (NSLock rather than Mutex: Mutex needs macOS 15).
    private var current: Date
    private let lock = NSLock()

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = start
    }

    public var now: Date { lock.withLock { current } }

    public func advance(by duration: Duration) {
        lock.withLock { current = current.addingTimeInterval(duration.timeInterval) }
    }

    public func set(_ date: Date) {
        lock.withLock { current = date }
    }
}

extension Date {
    /// Milliseconds since 1970, as stored in both databases.
    var storeMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(storeMilliseconds ms: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(ms) / 1000)
    }
}
