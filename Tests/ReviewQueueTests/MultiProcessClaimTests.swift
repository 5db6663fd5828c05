import Foundation
import ReviewQueue
import Testing

/// 16 reviewer processes (`smugglewatch queue claim --all`) claim from one store at once; no
/// item may go to two of them, and every item goes to one.
@Suite("Claims across processes")
struct MultiProcessClaimTests {
    static let processes = 16
    static let items = 1200

    @Test("16 concurrent reviewer processes never get the same item", arguments: StoreFactory.all)
    func sixteenProcesses(_ factory: StoreFactory) async throws {
        let executable = try #require(smugglewatchExecutable(), "build the CLI first: swift build --product smugglewatch")
        let temp = try await factory.make(ManualStoreClock(Date()))
        defer { Task { await temp.close() } }
        for i in 0..<Self.items {
            try await temp.store.upsertPost(samplePost("test:\(i)"))
            try await temp.store.enqueue("test:\(i)", priority: Double(i % 13))
        }

        let outputs = try await withThrowingTaskGroup(of: (Int, Int32, String, String).self) { group in
            for r in 0..<Self.processes {
                group.addTask {
                    let result = try await run(executable, ["queue", "claim", "--all", "--db", temp.url, "--reviewer", "reviewer-\(r)"])
                    return (r, result.status, result.stdout, result.stderr)
                }
            }
            return try await group.reduce(into: [(Int, Int32, String, String)]()) { $0.append($1) }
        }

        var claimedBy: [Int64: Int] = [:]
        var duplicates: [Int64] = []
        var busyProcesses = 0
        for (reviewer, status, stdout, stderr) in outputs {
            #expect(status == 0 || status == 3, "reviewer-\(reviewer) exited \(status): \(stderr)")
            let lines = stdout.split(separator: "\n")
            if !lines.isEmpty { busyProcesses += 1 }
            for line in lines {
                let id = try #require(Int64(line.split(separator: "\t")[0]), "bad output line '\(line)'")
                if claimedBy[id] != nil { duplicates.append(id) }
                claimedBy[id] = reviewer
            }
        }
        #expect(duplicates.isEmpty, "items claimed twice: \(duplicates)")
        #expect(claimedBy.count == Self.items, "every item claimed once")
        let stats = try await temp.store.stats()
        #expect(stats.claimed == Self.items && stats.pending == 0)
        #expect(busyProcesses >= 2, "the processes overlapped (\(busyProcesses) got work)")
        print("◇ \(factory): \(Self.items) items over \(Self.processes) processes, \(busyProcesses) got work, no duplicates")
    }
}

/// The built `smugglewatch` next to the test bundle (same build folder).
func smugglewatchExecutable() -> URL? {
    let candidates = [
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
        Bundle.main.bundleURL.deletingLastPathComponent(),
        Bundle.main.bundleURL,
    ]
    for folder in candidates {
        let url = folder.appendingPathComponent("smugglewatch")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}

struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a process to completion, collecting its output. Blocking waits happen on Dispatch
/// threads, not the (2-thread) cooperative pool, so many processes really run at once.
func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "SMUGGLEWATCH_DB")
            env.removeValue(forKey: "SMUGGLEWATCH_REVIEWER")
            for (key, value) in environment { env[key] = value }
            process.environment = env
            let out = Pipe(), err = Pipe(), input = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = input
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try? input.fileHandleForWriting.close()
            let errors = OutputCollector()
            let group = DispatchGroup()
            group.enter()
            DispatchQueue.global().async {
                errors.append(err.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
            let output = out.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            continuation.resume(
                returning: ProcessResult(
                    status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self), stderr: errors.text))
        }
    }
}

import Synchronization

final class OutputCollector: Sendable {
    private let data = Mutex(Data())
    func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }
    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
