@testable import Bayes
import Features
import Foundation
import Posts
import SmuggleWatchTesting
import Synchronization
import Testing

/// `train --threads N` reads chunks of the input on N threads and merges what they learned. It
/// must give what one thread gives: the same model file, byte for byte, the same counts, data
/// hash and messages (in line order), and the same error in strict mode.
@Suite("Training on several threads")
struct TrainingThreadsTests {
    static let fixtures = ["Fixtures/corpus/train.jsonl", "Fixtures/corpus/test.jsonl"].map(TestSupport.path)

    /// Everything one run gives that a user could see.
    struct Outcome: Equatable {
        /// The model file's size and FNV-1a hash (short, for failure messages).
        var model: String
        var posts, unlabelled, skipped, bytes: Int
        var dataHash: String
        var warnings: [String]
    }

    /// Trains on `inputs` with `threads` threads and chunks of `chunkBytes`.
    static func train(
        _ inputs: [String?], threads: Int, chunkBytes: Int = 1 << 20, configure: (inout Training) -> Void = { _ in }
    ) throws -> Outcome {
        let warnings = Mutex<[String]>([])
        var training = Training()
        training.folds = 0
        training.threads = threads
        training.chunkBytes = chunkBytes
        training.reader = PostReader(warn: { e in warnings.withLock { $0.append(e.message) } })
        configure(&training)
        let (model, summary) = try training.train(inputs: inputs)
        let file = try TestSupport.temporaryDirectory() + "/model.swnb"
        try ModelFile.write(model, to: file)
        return Outcome(
            model: { "\($0.count) bytes, fnv1a64 \(String(TokenHash.hash($0), radix: 16))" }(Array(try Data(contentsOf: URL(fileURLWithPath: file)))), posts: summary.posts, unlabelled: summary.unlabelled,
            skipped: summary.skipped, bytes: summary.bytes, dataHash: summary.dataHash, warnings: warnings.withLock { $0 })
    }

    /// The fixtures again with what a real crawl output holds: unlabelled posts, blank lines,
    /// bad lines, CRLF endings, a flag first seen near the end, a line over the length limit.
    static func messyFile() throws -> String {
        var lines: [String] = []
        var rng = SeededGenerator(seed: 11)
        for (k, line) in try String(contentsOfFile: fixtures[0], encoding: .utf8).split(separator: "\n").enumerated() {
            lines.append(String(line))
            switch Int.random(in: 0..<40, using: &rng) {
            case 0: lines.append("")
            case 1: lines.append("{\"id\": \"broken-\(k)\", \"description\": ")
            case 2: lines.append("{\"id\": \"u-\(k)\", \"description\": \"no labels on this one, number \(k)\"}")
            case 3: lines.append("{\"id\": \"crlf-\(k)\", \"description\": \"a line ending in CR LF \(k)\", \"labels\": []}\r")
            default: break
            }
        }
        let late = lines.count * 9 / 10
        lines.insert("{\"id\": \"late-flag\", \"description\": \"a new kind of post, seen last\", \"labels\": [\"spam\"]}", at: late)
        lines.insert("{\"id\": \"long\", \"description\": \"" + String(repeating: "x", count: 70_000) + "\", \"labels\": []}", at: late / 2)
        return try TestSupport.temporaryFile(text: lines.joined(separator: "\n") + "\n")
    }

    @Test("any thread count and chunk size gives the one-thread model, counts, data hash and messages")
    func sameAsOneThread() throws {
        let messy = try Self.messyFile()
        let limit: (inout Training) -> Void = { $0.reader.options.maxLineBytes = 64 << 10 }
        let one = try Self.train(Self.fixtures + [messy], threads: 1, configure: limit)
        #expect(one.warnings.count > 10, "the messy file should have bad lines")
        #expect(one.warnings.contains { $0.contains("over the 64 KiB limit") })
        #expect(one.unlabelled > 5)
        for (threads, chunk) in [(2, 1 << 20), (2, 4 << 10), (3, 1_000), (5, 20 << 10), (8, 300)] {
            let many = try Self.train(Self.fixtures + [messy], threads: threads, chunkBytes: chunk, configure: limit)
            #expect(many == one, "\(threads) threads, \(chunk)-byte chunks")
        }
    }

    @Test("field weights that are multiples of 1/1024 keep their threads and the same model")
    func weightedCounts() throws {
        let weights: (inout Training) -> Void = {
            $0.configuration.features.titleWeight = 2
            $0.configuration.features.captionWeight = 0.5
            $0.configuration.features.binary = true
        }
        let one = try Self.train(Self.fixtures, threads: 1, configure: weights)
        let many = try Self.train(Self.fixtures, threads: 3, chunkBytes: 2_000, configure: weights)
        #expect(many == one)
    }

    @Test("with weights like 0.3, whose sums depend on their order, training stays on one thread")
    func inexactWeights() throws {
        var training = Training()
        training.threads = 4
        #expect(training.usesThreads)
        training.configuration.features.descriptionWeight = 0.3
        #expect(!training.usesThreads)
        let weights: (inout Training) -> Void = { $0.configuration.features.descriptionWeight = 0.3 }
        #expect(try Self.train(Self.fixtures, threads: 4, chunkBytes: 2_000, configure: weights) == Self.train(Self.fixtures, threads: 1, configure: weights))
    }

    @Test("a strict reader stops at the same first bad line")
    func strict() throws {
        let messy = try Self.messyFile()
        func failure(_ threads: Int) -> String? {
            do {
                _ = try Self.train([messy], threads: threads, chunkBytes: 3_000) { $0.reader.options.strict = true }
                return nil
            } catch {
                return "\(error)"
            }
        }
        let one = failure(1)
        #expect(one?.contains("could not read line") == true)
        #expect(failure(4) == one)
    }

    @Test("an input with no posts gets the same error")
    func emptyInput() throws {
        let blank = try TestSupport.temporaryFile(text: "\n\n  \n")
        func failure(_ threads: Int) -> String? {
            do {
                _ = try Self.train([Self.fixtures[1], blank], threads: threads)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(failure(1)?.contains("holds no posts") == true)
        #expect(failure(3) == failure(1))
    }
}
