import Foundation

/// A bounded pool of threads, each owning one `CurlEasyHandle`, that run blocking transfers off
/// Swift's cooperative pool (STYLE.md F4).
///
/// Threads start on demand up to `maxThreads` and exit after 30 s idle. Each keeps its handle,
/// so connections to a host are reused (keep-alive).
final class CurlWorkerPool: @unchecked Sendable {
    private struct Job {
        var options: CurlTransferOptions
        var continuation: CheckedContinuation<Result<CurlTransfer, CurlTransferFailure>, Never>
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    let maxThreads: Int

    init(maxThreads: Int) {
        precondition(maxThreads > 0, "a worker pool needs at least one thread")
        self.maxThreads = maxThreads
    }

    /// Runs one transfer on a pool thread and returns its result.
    func perform(_ options: CurlTransferOptions) async -> Result<CurlTransfer, CurlTransferFailure> {
        await withCheckedContinuation { continuation in
            condition.lock()
            queue.append(Job(options: options, continuation: continuation))
            let spawn = idle == 0 && threads < maxThreads
            if spawn { threads += 1 }
            condition.signal()
            condition.unlock()
            if spawn {
                let thread = Thread { [self] in work() }
                thread.name = "smugglewatch.curl"
                thread.stackSize = 512 << 10
                thread.start()
            }
        }
    }

    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count {
            idle += 1
            let signalled = condition.wait(until: Date(timeIntervalSinceNow: 30))
            idle -= 1
            if !signalled && head == queue.count {
                threads -= 1
                return nil
            }
        }
        let job = queue[head]
        head += 1
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }

    private func work() {
        var handle: CurlEasyHandle?
        while let job = nextJob() {
            if handle == nil {
                do throws(CurlError) { handle = try CurlEasyHandle() } catch {
                    job.continuation.resume(returning: .failure(CurlTransferFailure(error: error, exceededMaxSize: false)))
                    continue
                }
            }
            let result: Result<CurlTransfer, CurlTransferFailure>
            do throws(CurlTransferFailure) { result = .success(try handle!.perform(job.options)) } catch { result = .failure(error) }
            job.continuation.resume(returning: result)
        }
    }
}
