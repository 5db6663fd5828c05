import Foundation
import ReviewQueue
import Testing

@Suite("Review item state machine and priority")
struct ReviewItemStateMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func pendingClaimDecide() {
        var machine = ReviewItemStateMachine()
        #expect(machine.isClaimable(at: t0))
        #expect(machine.claim(by: "alice", at: t0, lease: .seconds(900)) == .claim(leaseExpiresAt: t0.addingTimeInterval(900)))
        #expect(!machine.isClaimable(at: t0.addingTimeInterval(899)))
        #expect(machine.claim(by: "bob", at: t0.addingTimeInterval(899), lease: .seconds(900)) == .unavailable)
        #expect(machine.isClaimable(at: t0.addingTimeInterval(900)))
        #expect(
            machine.claim(by: "bob", at: t0.addingTimeInterval(900), lease: .seconds(60))
                == .reclaimExpired(previousReviewer: "alice", leaseExpiresAt: t0.addingTimeInterval(960)))
        #expect(machine.release(by: "alice") == .notHeld)
        #expect(machine.decide(by: "bob", at: t0.addingTimeInterval(901)) == .decide)
        #expect(machine.state == .decided(by: "bob", at: t0.addingTimeInterval(901)))
        #expect(machine.decide(by: "carol", at: t0.addingTimeInterval(902)) == .alreadyDecided)
        #expect(machine.claim(by: "dave", at: t0.addingTimeInterval(99_999), lease: .seconds(1)) == .unavailable)
        #expect(machine.release(by: "bob") == .notHeld)
    }

    @Test func releaseReturnsToPending() {
        var machine = ReviewItemStateMachine(.claimed(by: "alice", at: t0, leaseExpiresAt: t0.addingTimeInterval(60)))
        #expect(machine.release(by: "alice") == .release)
        #expect(machine.state == .pending)
        #expect(machine.decide(by: "x", at: t0) == .decide, "a pending item can be decided by a script label")
    }

    @Test func stateColumnsRoundTrip() {
        #expect(ReviewItemState(name: "claimed", by: "a", at: t0, leaseExpiresAt: nil, decidedBy: nil, decidedAt: nil) == nil)
        #expect(ReviewItemState(name: "weird", by: nil, at: nil, leaseExpiresAt: nil, decidedBy: nil, decidedAt: nil) == nil)
        #expect(ReviewItemState(name: "decided", by: nil, at: nil, leaseExpiresAt: nil, decidedBy: "a", decidedAt: t0) == .decided(by: "a", at: t0))
    }

    @Test func priorityBands() {
        var rng = SeededGenerator(seed: 42)
        let priority = ReviewPriority(.init(thresholds: ["contact": 0.6], clearSampleRate: 0))
        func p(_ scores: [String: Double], _ decisions: [String: FlagDecision]) -> ReviewPriority.Routing? {
            priority.routing(for: Prediction(postID: "x", modelVersion: "m@1", scores: scores, decisions: decisions), using: &rng)
        }
        let surest = p(["guidance": 0.99, "contact": 0.2], ["guidance": .flag, "contact": .clear])!
        let lessSure = p(["guidance": 0.7, "contact": 0.65], ["guidance": .flag, "contact": .flag])!
        let nearThreshold = p(["guidance": 0.51], ["guidance": .unsure])!
        let farFromThreshold = p(["guidance": 0.35, "contact": 0.45], ["guidance": .unsure, "contact": .unsure])!
        #expect(surest.reason == "flag:guidance" && lessSure.reason == "flag:contact,guidance")
        #expect(surest.priority > lessSure.priority)
        #expect(lessSure.priority > nearThreshold.priority)
        #expect(nearThreshold.priority > farFromThreshold.priority, "unsure items closest to the threshold first")
        #expect(abs(farFromThreshold.priority - (1 + (1 - 0.15))) < 1e-9, "contact's own threshold 0.6 is used")
        #expect(farFromThreshold.priority > 1)
        #expect(p(["guidance": 0.01], ["guidance": .clear]) == nil, "clear items are not queued at sample rate 0")
    }

    @Test func clearSampleRate() {
        var rng = SeededGenerator(seed: 7)
        let priority = ReviewPriority()  // default 2%
        #expect(priority.configuration.clearSampleRate == 0.02)
        let clear = Prediction(postID: "x", modelVersion: "m@1", scores: ["guidance": 0.1], decisions: ["guidance": .clear])
        let sampled = (0..<10_000).compactMap { _ in priority.routing(for: clear, using: &rng) }
        #expect((150...250).contains(sampled.count), "about 2% of clear items: got \(sampled.count)")
        #expect(sampled.allSatisfy { $0.reason == "sample:clear" && $0.priority < 1 })
        let all = ReviewPriority(.init(clearSampleRate: 1))
        #expect(all.routing(for: clear, using: &rng)?.priority == 0.1)
    }
}

/// A seeded SplitMix64, so sampling tests are reproducible (STYLE.md H8).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
