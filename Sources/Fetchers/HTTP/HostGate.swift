/// Per-host politeness: at most `maxConcurrent` transfers to a host at once, and starts spaced by
/// at least `interval`. A host can also be paused (after a 429's Retry-After).
actor HostGate {
    private struct State {
        var active = 0
        var nextStart: ContinuousClock.Instant
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private var hosts: [String: State] = [:]
    private let maxConcurrent: Int
    private let interval: Duration
    private let clock = ContinuousClock()

    init(maxConcurrent: Int, interval: Duration) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.interval = interval
    }

    /// Waits for a slot on `host` and for its next allowed start time. Pair with `release(_:)`.
    func acquire(_ host: String) async {
        let now = clock.now
        if hosts.count > 4096 {
            hosts = hosts.filter { $0.value.active > 0 || $0.value.nextStart > now }
        }
        var state = hosts[host] ?? State(nextStart: now)
        if state.active >= maxConcurrent {
            hosts[host] = state
            await withCheckedContinuation { hosts[host]!.waiters.append($0) }
            // release(_:) handed its slot to us: `active` already counts it.
            state = hosts[host]!
        } else {
            state.active += 1
        }
        let start = max(clock.now, state.nextStart)
        state.nextStart = start + interval
        hosts[host] = state
        if start > clock.now { try? await clock.sleep(until: start) }
    }

    func release(_ host: String) {
        guard var state = hosts[host] else { return }
        if !state.waiters.isEmpty {
            let next = state.waiters.removeFirst()
            hosts[host] = state
            next.resume()
            return
        }
        state.active -= 1
        if state.active == 0 && state.nextStart <= clock.now {
            hosts[host] = nil  // forget idle hosts: memory stays bounded whatever the number of hosts
        } else {
            hosts[host] = state
        }
    }

    /// Delays every later start on `host` until `delay` from now (Retry-After).
    func pause(_ host: String, for delay: Duration) {
        let until = clock.now + delay
        if var state = hosts[host] {
            state.nextStart = max(state.nextStart, until)
            hosts[host] = state
        } else {
            hosts[host] = State(nextStart: until)
        }
    }
}
