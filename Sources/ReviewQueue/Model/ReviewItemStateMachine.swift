public import Foundation

/// Where a review item is in its life: pending → claimed → decided, with claims that expire.
public enum ReviewItemState: Sendable, Hashable {
    case pending
    case claimed(by: String, at: Date, leaseExpiresAt: Date)
    case decided(by: String, at: Date)

    /// The value stored in the `state` column.
    public var name: String {
        switch self {
        case .pending: "pending"
        case .claimed: "claimed"
        case .decided: "decided"
        }
    }

    /// Rebuilds a state from its columns; `nil` when the columns are inconsistent.
    public init?(name: String, by: String?, at: Date?, leaseExpiresAt: Date?, decidedBy: String?, decidedAt: Date?) {
        switch name {
        case "pending": self = .pending
        case "claimed":
            guard let by, let at, let leaseExpiresAt else { return nil }
            self = .claimed(by: by, at: at, leaseExpiresAt: leaseExpiresAt)
        case "decided":
            guard let decidedBy, let decidedAt else { return nil }
            self = .decided(by: decidedBy, at: decidedAt)
        default: return nil
        }
    }
}

/// The transitions of one review item, kept apart from storage so both backends share them
/// (STYLE.md F1). Each event mutates the state and says what the store must do.
public struct ReviewItemStateMachine: Sendable, Hashable {
    public private(set) var state: ReviewItemState

    public init(_ state: ReviewItemState = .pending) { self.state = state }

    public enum ClaimAction: Sendable, Hashable {
        /// Store the new claim.
        case claim(leaseExpiresAt: Date)
        /// The item was claimed by someone whose lease ran out; take it over.
        case reclaimExpired(previousReviewer: String, leaseExpiresAt: Date)
        /// The item is held by a live lease (or is already decided): leave it alone.
        case unavailable
    }

    public enum DecideAction: Sendable, Hashable {
        /// Mark the item decided.
        case decide
        /// Already decided earlier: the new label is appended, the item stays decided.
        case alreadyDecided
    }

    public enum ReleaseAction: Sendable, Hashable {
        case release
        /// The item is not held by this reviewer (nothing to do).
        case notHeld
    }

    /// True when `claim` at `now` would hand the item out.
    public func isClaimable(at now: Date) -> Bool {
        switch state {
        case .pending: true
        case .claimed(_, _, let expiry): expiry <= now
        case .decided: false
        }
    }

    public mutating func claim(by reviewer: String, at now: Date, lease: Duration) -> ClaimAction {
        let expiry = now.addingTimeInterval(lease.timeInterval)
        switch state {
        case .pending:
            state = .claimed(by: reviewer, at: now, leaseExpiresAt: expiry)
            return .claim(leaseExpiresAt: expiry)
        case .claimed(let holder, _, let oldExpiry) where oldExpiry <= now:
            state = .claimed(by: reviewer, at: now, leaseExpiresAt: expiry)
            return .reclaimExpired(previousReviewer: holder, leaseExpiresAt: expiry)
        case .claimed, .decided:
            return .unavailable
        }
    }

    /// A label was stored for the item's post. Any reviewer may decide (labels can also come from
    /// scripts with `smugglewatch label`), whether or not the item was claimed.
    public mutating func decide(by reviewer: String, at now: Date) -> DecideAction {
        switch state {
        case .pending, .claimed:
            state = .decided(by: reviewer, at: now)
            return .decide
        case .decided:
            return .alreadyDecided
        }
    }

    public enum ReopenAction: Sendable, Hashable {
        /// Store the new claim (the item was decided, pending or its lease had run out).
        case reopen(leaseExpiresAt: Date)
        /// The reviewer already holds the item; the lease is renewed.
        case renew(leaseExpiresAt: Date)
        /// Another reviewer holds a live lease: leave it alone.
        case heldByOther(String)
    }

    /// The reviewer undid the decision on this item's post: the item goes back to them, claimed,
    /// so they can decide again. A decided item is re-opened; an open one is claimed.
    public mutating func reopen(by reviewer: String, at now: Date, lease: Duration) -> ReopenAction {
        let expiry = now.addingTimeInterval(lease.timeInterval)
        switch state {
        case .claimed(let holder, _, let oldExpiry) where holder != reviewer && oldExpiry > now:
            return .heldByOther(holder)
        case .claimed(let holder, _, _) where holder == reviewer:
            state = .claimed(by: reviewer, at: now, leaseExpiresAt: expiry)
            return .renew(leaseExpiresAt: expiry)
        case .pending, .claimed, .decided:
            state = .claimed(by: reviewer, at: now, leaseExpiresAt: expiry)
            return .reopen(leaseExpiresAt: expiry)
        }
    }

    /// The reviewer gives the item back (skip) before the lease runs out.
    public mutating func release(by reviewer: String) -> ReleaseAction {
        switch state {
        case .claimed(let holder, _, _) where holder == reviewer:
            state = .pending
            return .release
        default:
            return .notHeld
        }
    }
}

extension Duration {
    /// The duration in seconds, as `TimeInterval`.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
