import Dispatch
import Foundation
import Features
import Posts

/// `train` on several threads: the main thread cuts each input into chunks of whole lines, the
/// workers read and learn a chunk each (every worker into its own `ModelBuilder`), and the main
/// thread takes their results in chunk order, so messages, counts and the data hash come out as
/// one reader's would. At the end the workers' counts are merged into the model one thread
/// would have built, byte for byte:
///
/// - Features and flags are numbered in the order they were first seen. A worker meets its
///   chunks in order, so the features it adds while reading chunk c are, in its own order, the
///   ones chunk c brought that its earlier chunks had not. Walking the chunks in order and
///   adding each one's new features (skipping those an earlier chunk of another worker
///   brought) gives exactly the order one reader meets them in, and `Vocabulary.insert` in that
///   order builds the same table, slot for slot.
/// - Counts are sums of field weights. A worker sums its chunks, and the merge adds the
///   workers' sums. That equals one sum over every post, bit for bit, when the weights are
///   multiples of 1/1024 (1, 2, 0.5, 0.25…) and no count passes 2^40: every partial sum is then
///   exact. With other weights (0.3) training stays on one thread (`usesThreads`).
///
/// Memory: each worker has its own count table, so up to `threads` times the vocabulary, plus
/// two chunks per worker in flight.
extension Training {
    /// Whether `train` can split its work over `threads` threads and still give the one-thread
    /// model exactly (see above).
    var usesThreads: Bool {
        guard threads > 1 else { return false }
        let f = configuration.features
        return [f.titleWeight, f.descriptionWeight, f.hashtagWeight, f.captionWeight].allSatisfy { w in
            w.isFinite && abs(w) <= 1024 && (w * 1024).rounded() == w * 1024
        }
    }

    /// What a worker keeps between chunks: its builder, extractor and line buffer, and where
    /// each chunk it read began in its feature and flag numbering.
    final class Worker: @unchecked Sendable {
        var builder: ModelBuilder
        var extractor: FeatureExtractor
        var text = PostText()
        /// For each chunk this worker read: its number, and the worker's feature and flag counts
        /// before it.
        var marks: [(chunk: Int, features: Int, flags: Int)] = []

        init(configuration: NaiveBayesModel.Configuration) {
            builder = ModelBuilder(configuration: configuration)
            extractor = FeatureExtractor(configuration: configuration.features)
        }
    }

    /// What reading one chunk gave, for the main thread to take in order.
    struct ChunkResult: Sendable {
        var summary = PostReader.Summary()
        var failures: [PostsError] = []
        var learned = 0
        var unlabelled = 0
        /// The ids and labels learned, as the data hash reads them (`appendHashRecord`).
        var hashed: [UInt8] = []
    }

    func trainOnThreads(inputs: [String?], progress: (Int) -> Void) throws -> (NaiveBayesModel, Summary) {
        let workers = (0..<threads).map { _ in Worker(configuration: configuration) }
        // Up to two chunks per worker in flight: one being read, one waiting.
        let queue = ChunkQueue(limit: 2 * threads)
        let reader = reader
        let finished = DispatchGroup()
        for worker in workers {
            finished.enter()
            Thread.detachNewThread {
                while let item = queue.take() {
                    queue.finish(item.number, worker.read(item.chunk, number: item.number, name: item.name, reader: reader))
                }
                finished.leave()
            }
        }
        defer {
            queue.close()
            finished.wait()
        }

        var summary = Summary()
        var hash = TokenHash.offsetBasis
        var next = 0  // the next chunk to hand out
        var taken = 0  // the next chunk whose result to take
        var inputSummary = PostReader.Summary()

        // Takes the results of chunks in order: messages, counts, the data hash, progress.
        func take(upTo end: Int) throws {
            while taken < end {
                let r = queue.result(taken)
                taken += 1
                inputSummary.add(r.summary)
                for failure in r.failures {
                    if reader.options.strict { throw failure }
                    reader.warn(failure)
                }
                let before = summary.posts
                summary.posts += r.learned
                summary.unlabelled += r.unlabelled
                hash = TokenHash.hash(r.hashed, from: hash)
                if summary.posts / 10_000 > before / 10_000 { progress(summary.posts / 10_000 * 10_000) }
            }
        }

        for input in inputs {
            inputSummary = PostReader.Summary()
            let name = try reader.forEachChunk(in: input, chunkBytes: chunkBytes) { chunk, name in
                // Keep at most `limit` chunks out, taking finished results meanwhile.
                try take(upTo: next - queue.limit + 1)
                queue.put(next, chunk, name: name)
                next += 1
            }
            try take(upTo: next)
            try PostReader.checkNotEmpty(inputSummary, name: name)
            summary.skipped += inputSummary.skipped
            summary.bytes += inputSummary.bytes
        }
        queue.close()
        finished.wait()
        summary.dataHash = "fnv1a64:" + String(hash, radix: 16)
        return (ModelBuilder.merge(workers.map { ($0.builder, $0.marks) }, configuration: configuration), summary)
    }
}

/// Chunks waiting for a worker, and results waiting for the main thread, under one lock.
private final class ChunkQueue: @unchecked Sendable {
    struct Item {
        var number: Int
        var chunk: LineChunk
        var name: String
    }

    let limit: Int
    private let condition = NSCondition()
    /// At most `limit` items: the main thread keeps no more out.
    private var waiting: [Item] = []
    private var results: [Int: Training.ChunkResult] = [:]
    private var closed = false

    init(limit: Int) { self.limit = limit }

    /// Hands a chunk to the workers (the caller keeps at most `limit` out).
    func put(_ number: Int, _ chunk: LineChunk, name: String) {
        condition.lock()
        waiting.append(Item(number: number, chunk: chunk, name: name))
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk to read, or nil once closed.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !closed { condition.wait() }
        if closed { return nil }
        return waiting.removeFirst()
    }

    func finish(_ number: Int, _ result: Training.ChunkResult) {
        condition.lock()
        results[number] = result
        condition.broadcast()
        condition.unlock()
    }

    /// The result of chunk `number`, once a worker has read it.
    func result(_ number: Int) -> Training.ChunkResult {
        condition.lock()
        defer { condition.unlock() }
        while results[number] == nil { condition.wait() }
        return results.removeValue(forKey: number)!
    }

    /// Lets the workers stop: after the last chunk, or when the main thread stops early (an
    /// error, or a strict reader's bad line).
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

extension Training.Worker {
    /// Learns the posts of one chunk, as the one-thread loop learns them.
    func read(_ chunk: LineChunk, number: Int, name: String, reader: PostReader) -> Training.ChunkResult {
        marks.append((number, builder.featureCount, builder.flags.count))
        var r = Training.ChunkResult()
        (r.summary, r.failures) = reader.readPostTexts(in: chunk, name: name, text: &text) { post in
            guard let labels = post.labels else {
                r.unlabelled += 1
                return
            }
            builder.learn(post, extractor: &extractor)
            Training.appendHashRecord(id: post.id, labels: labels, to: &r.hashed)
            r.learned += 1
        }
        return r
    }
}

extension ModelBuilder {
    /// The model one builder would have built from all the chunks, in chunk order (see
    /// `Training+Threads.swift`). `marks[w]` lists the chunks builder `w` read, with its feature
    /// and flag counts before each.
    static func merge(
        _ parts: [(builder: ModelBuilder, marks: [(chunk: Int, features: Int, flags: Int)])],
        configuration: NaiveBayesModel.Configuration
    ) -> NaiveBayesModel {
        let models = parts.map { $0.builder.model() }
        // Each chunk's new features and flags: [start, end) in its worker's numbering.
        var spans: [(chunk: Int, worker: Int, features: Range<Int>, flags: Range<Int>)] = []
        for (w, part) in parts.enumerated() {
            for (k, mark) in part.marks.enumerated() {
                let end = k + 1 < part.marks.count
                    ? (features: part.marks[k + 1].features, flags: part.marks[k + 1].flags)
                    : (features: models[w].vocabulary.count, flags: models[w].flags.count)
                spans.append((mark.chunk, w, mark.features..<end.features, mark.flags..<end.flags))
            }
        }
        spans.sort { $0.chunk < $1.chunk }

        var flags: [String] = []
        var flagMap = models.map { [Int](repeating: 0, count: $0.flags.count) }
        var vocabulary = Vocabulary()
        var featureMap = models.map { [Int](repeating: 0, count: $0.vocabulary.count) }
        let keys = models.map { m in
            var keys = [UInt64](repeating: 0, count: m.vocabulary.count)
            m.vocabulary.forEachSlot { _, key, index in keys[index] = key }
            return keys
        }
        for span in spans {
            let w = span.worker
            for f in span.flags {
                let name = models[w].flags[f]
                if let g = flags.firstIndex(of: name) {
                    flagMap[w][f] = g
                } else {
                    flagMap[w][f] = flags.count
                    flags.append(name)
                }
            }
            // Locals, so the loop neither copies the worker's vocabulary nor checks the map's
            // uniqueness per feature.
            let other = models[w].vocabulary
            let workerKeys = keys[w]
            var map = featureMap[w]
            featureMap[w] = []
            for i in span.features { map[i] = vocabulary.insert(workerKeys[i], textOf: i, in: other) }
            featureMap[w] = map
        }

        // Counts into one flat array (total, then each flag, per feature), then split.
        let v = vocabulary.count
        let stride = 1 + flags.count
        var documentCount: Double = 0
        var flagDocumentCounts = [Double](repeating: 0, count: flags.count)
        var counts = [Double](repeating: 0, count: v * stride)
        counts.withUnsafeMutableBufferPointer { counts in
            for (w, m) in models.enumerated() {
                documentCount += m.documentCount
                let map = flagMap[w]
                for (f, g) in map.enumerated() { flagDocumentCounts[g] += m.flagDocumentCounts[f] }
                featureMap[w].withUnsafeBufferPointer { features in
                    for (i, g) in features.enumerated() { counts[g * stride] += m.totalCounts[i] }
                    for (f, gf) in map.enumerated() {
                        m.flagCounts[f].withUnsafeBufferPointer { column in
                            for (i, g) in features.enumerated() { counts[g * stride + 1 + gf] += column[i] }
                        }
                    }
                }
            }
        }
        let totalCounts = (0..<v).map { counts[$0 * stride] }
        let flagCounts = (0..<flags.count).map { f in (0..<v).map { counts[$0 * stride + 1 + f] } }
        return NaiveBayesModel(
            configuration: configuration, flags: flags, vocabulary: vocabulary, documentCount: documentCount,
            flagDocumentCounts: flagDocumentCounts, totalCounts: totalCounts, flagCounts: flagCounts, thresholds: [:])
    }
}
