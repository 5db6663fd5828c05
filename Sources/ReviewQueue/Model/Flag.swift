import Foundation

/// A flag set once from any thread.
final class Flag: @unchecked Sendable {
    // Guarded by `lock`.
    private var value = false
    private let lock = NSLock()

    func set() { lock.withLock { value = true } }
    func clear() { lock.withLock { value = false } }
    var isSet: Bool { lock.withLock { value } }

    /// Sets the flag; returns whether it was set already.
    func testAndSet() -> Bool {
        lock.withLock {
            defer { value = true }
            return value
        }
    }
}
