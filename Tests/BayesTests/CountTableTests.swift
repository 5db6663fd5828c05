@testable import Bayes
@testable import Features
import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// `train`'s count table (`CountTable`, `ModelBuilder`) must give exactly the model that
/// `NaiveBayesModel.update` gives post by post: the same slots, feature order, texts and counts.
@Suite("Count table and model builder")
struct CountTableTests {
    /// Hashes whose keys all have the same home slot in a table of `capacity` slots.
    static func colliding(_ n: Int, capacity: Int) -> [UInt64] {
        var byHome: [Int: [UInt64]] = [:]
        var h: UInt64 = 2
        while true {
            let home = Vocabulary.home(h, capacity: capacity)
            byHome[home, default: []].append(h)
            if byHome[home]!.count == n { return byHome[home]! }
            h &+= 0x1_0000_0001
        }
    }

    static func insert(_ table: CountTable, _ hash: UInt64, _ text: String) -> Int {
        table.slot(inserting: hash) { blob in
            for b in text.utf8 { blob.append(b) }
        }
    }

    /// Keys, slots, texts and offsets of two vocabularies agree.
    static func same(_ a: Vocabulary, _ b: Vocabulary) -> Bool {
        a.keys == b.keys && a.slots == b.slots && a.blob == b.blob && a.offsets == b.offsets
    }

    @Test("colliding keys: each found at its own slot, absent ones not found, slots as Vocabulary's")
    func collisions() {
        let hashes = Self.colliding(6, capacity: 16)
        let table = CountTable(capacity: 16)
        var reference = Vocabulary(capacity: 8)
        #expect(reference.capacity == 16)
        for (i, h) in hashes.prefix(5).enumerated() {
            let s = Self.insert(table, h, "t\(i)")
            #expect(table.index(atSlot: s) == i)
            #expect(reference.insert(h) { "t\(i)" } == (i, true))
        }
        let slots = hashes.prefix(5).map { table.slot(of: $0) }
        #expect(Set(slots).count == 5)
        // Linear probing from the shared home slot: consecutive slots.
        #expect(slots == (0..<5).map { (slots[0] + $0) & 15 })
        #expect(table.slot(of: hashes[5]) == -1)
        // Inserting a known key again finds it.
        #expect(Self.insert(table, hashes[2], "again") == slots[2])
        #expect(table.count == 5)
        #expect(Self.same(table.vocabulary(), reference))
        #expect(table.vocabulary().token(3) == "t3")
    }

    @Test("hash 0 is stored as key 1, as in Vocabulary")
    func zeroHash() {
        let table = CountTable(capacity: 16)
        let s = Self.insert(table, 0, "zero")
        #expect(table.key(atSlot: s) == 1)
        #expect(table.slot(of: 0) == s && table.slot(of: 1) == s)
    }

    @Test("growth: 20,000 tokens from 16 slots keep their counts, and the slots are Vocabulary's")
    func growth() {
        var rng = SystemRandomNumberGenerator()
        let table = CountTable(capacity: 16)
        var reference = Vocabulary(capacity: 8)
        var expected: [UInt64: Double] = [:]
        var order: [UInt64] = []
        let flags = ReusableBuffer<Int>()
        let slot = ReusableBuffer<Int>()
        for _ in 0..<60_000 {
            // Some tokens come back, most are new.
            let h = order.isEmpty || Int.random(in: 0..<3, using: &rng) != 0 ? UInt64.random(in: 2...UInt64.max, using: &rng) : order.randomElement(using: &rng)!
            let w = Double(Int.random(in: 1...4, using: &rng)) / 4
            if expected[h] == nil { order.append(h) }
            expected[h, default: 0] += w
            slot.count = 0
            slot.append(Self.insert(table, h, "\(h)"))
            table.add(w, slots: slot.elements, flags: flags.elements)
            _ = reference.insert(h) { "\(h)" }
        }
        #expect(table.count == order.count && table.count > 30_000)
        #expect(table.capacity == reference.capacity && table.capacity >= 2 * table.count)
        #expect(Self.same(table.vocabulary(), reference))
        let (total, _) = table.columns()
        #expect(order.enumerated().allSatisfy { i, h in total[i] == expected[h]! })
        #expect(order.allSatisfy { table.counts(atSlot: table.slot(of: $0)) == [expected[$0]!] })
    }

    @Test("flags added part-way start at zero; every flag's counts are kept through growth")
    func manyFlags() {
        let table = CountTable(capacity: 16)
        let flags = ReusableBuffer<Int>()
        let slot = ReusableBuffer<Int>()
        var expected: [[Double]] = []  // per token: total, then one per flag
        for t in 0..<400 {
            if t % 50 == 0 {
                #expect(table.addFlag() == table.flagCount - 1)
                for i in expected.indices { expected[i].append(0) }
            }
            // Each token counted under the flags whose number divides it.
            flags.count = 0
            for f in 0..<table.flagCount where t % (f + 1) == 0 { flags.append(f) }
            slot.count = 0
            slot.append(Self.insert(table, UInt64(t) &* 0x9E37_79B9 &+ 7, "w\(t)"))
            table.add(1.5, slots: slot.elements, flags: flags.elements)
            var row = [Double](repeating: 0, count: 1 + table.flagCount)
            row[0] = 1.5
            for f in flags.elements { row[1 + f] = 1.5 }
            expected.append(row)
        }
        #expect(table.flagCount == 8)
        let (total, columns) = table.columns()
        #expect(columns.count == 8)
        for t in 0..<400 {
            #expect(total[t] == expected[t][0])
            #expect((0..<8).allSatisfy { columns[$0][t] == expected[t][1 + $0] }, "token \(t)")
        }
        // Flag 7 came at token 350: 344 is a multiple of 8 from before it, 352 one after.
        #expect(columns[7][344] == 0 && columns[7][352] == 1.5 && columns[7][353] == 0 && columns[0][0] == 1.5)
    }

    @Test("a text whose new tokens grow the table mid-way is counted in full")
    func growthWithinText() {
        let table = CountTable(capacity: 16)
        var sink = CountingSink(table: table)
        sink.postFlags.append(contentsOf: [0].withUnsafeBufferPointer { $0 })
        _ = table.addFlag()
        let known: [UInt64] = (1...7).map { $0 &* 0x51_7CC1_B727_220A }
        for h in known { _ = Self.insert(table, h, "k") }
        // 7 known tokens (some twice), then 20 new ones: the table grows from 16 slots twice.
        let hashes = known + known.prefix(3) + (100...119).map { UInt64($0) &* 0x2545_F491_4F6C_DD1D }
        let origin = TokenOrigin(field: .description, index: -1, start: 0, end: 1)
        hashes.withUnsafeBufferPointer { hashes in
            #expect(!sink.acceptsHashesOnly(hashes))
            #expect(sink.found.count == 10)
            sink.add(hashes: hashes, weight: 2, origin: origin) { k, blob in blob.append(UInt8(65 + k % 26)) }
        }
        #expect(table.capacity == 64 && table.count == 27)
        for (k, h) in hashes.enumerated() {
            let expected: Double = k < 3 || (7..<10).contains(k) ? 4 : 2
            #expect(table.counts(atSlot: table.slot(of: h)) == [expected, expected], "token \(k)")
        }
        // Feature 7 is the first new token (k = 10), feature 26 the last (k = 29).
        #expect(table.vocabulary().token(7) == "K" && table.vocabulary().token(26) == "D")
    }

    /// Labelled posts with one to five flags, repeated and new labels part-way, mixed scripts.
    static func posts() throws -> [Post] {
        var posts: [Post] = []
        try PostReader().forEachPost(in: TestSupport.path("Fixtures/corpus/train.jsonl")) { posts.append($0) }
        let words = ["cruzar", "frontera", "whatsapp", "555 0142", "过境", "微信 abc123", "#CruzarLaFrontera", "guide", "río", "8k", "$900", "@coyote_demo"]
        let labels = ["guidance", "contact", "extra", "more", "five"]
        for i in 0..<1500 {
            var post = Post(id: "p:\(i)")
            post.title = (0..<(i % 7 + 1)).map { words[($0 * 7 + i) % words.count] + "\(i % 97)" }.joined(separator: " ")
            post.description = (0..<(i % 11)).map { words[($0 + i) % words.count] }.joined(separator: " ")
            post.hashtags = i % 3 == 0 ? ["#tag\(i % 13)", "#Cruzar\(i % 5)"] : []
            post.captions = i % 4 == 0 ? [Cue(start: 0, end: 1, text: "caption \(i) frontera")] : []
            // New flags appear part-way; a label may repeat within a post.
            let n = i < 500 ? i % 3 : i % 6
            post.labels = i % 10 == 9 ? nil : (0..<n).map { labels[($0 + i) % min(labels.count, 2 + i / 300)] } + (i % 17 == 0 ? [labels[0]] : [])
            posts.append(post)
        }
        return posts
    }

    @Test("the model builder's model equals NaiveBayesModel.update's: same model file bytes")
    func sameModelAsUpdate() throws {
        let posts = try Self.posts()
        var weighted = NaiveBayesModel.Configuration()
        weighted.features.titleWeight = 2
        weighted.features.captionWeight = 0.5
        var binary = NaiveBayesModel.Configuration()
        binary.features.binary = true
        var noBigrams = NaiveBayesModel.Configuration()
        noBigrams.features.wordBigrams = false
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("counttable-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (c, configuration) in [NaiveBayesModel.Configuration(), weighted, binary, noBigrams].enumerated() {
            var reference = NaiveBayesModel(configuration: configuration)
            var builder = ModelBuilder(configuration: configuration)
            var e1 = FeatureExtractor(configuration: configuration.features)
            var e2 = FeatureExtractor(configuration: configuration.features)
            var e3 = FeatureExtractor(configuration: configuration.features)
            for (i, post) in posts.enumerated() {
                reference.learn(post, extractor: &e1)
                // Bytes (the `train` fast path) and posts both.
                if i % 2 == 0 {
                    var line = post.jsonLine
                    try line.withUTF8 { raw in builder.learn(try PostText(jsonLine: UnsafeRawBufferPointer(raw)), extractor: &e2) }
                } else {
                    builder.learn(post, extractor: &e3)
                }
            }
            let built = builder.model()
            #expect(built.flags == ["guidance", "contact", "extra", "more", "five"])
            #expect(built.vocabulary.count == reference.vocabulary.count && built.vocabulary.count > 5000)
            #expect(Self.same(built.vocabulary, reference.vocabulary))
            #expect(built.totalCounts.map(\.bitPattern) == reference.totalCounts.map(\.bitPattern))
            #expect(built.flagCounts.map { $0.map(\.bitPattern) } == reference.flagCounts.map { $0.map(\.bitPattern) })
            #expect(built.documentCount == reference.documentCount && built.flagDocumentCounts == reference.flagDocumentCounts)
            let a = directory.appendingPathComponent("built-\(c).swnb").path
            let b = directory.appendingPathComponent("reference-\(c).swnb").path
            try ModelFile.write(built, to: a)
            try ModelFile.write(reference, to: b)
            #expect(FileManager.default.contentsEqual(atPath: a, andPath: b))
        }
    }

    @Test("Training.train(inputs:) writes the model update(with:) builds from the same file")
    func trainingUsesBuilder() throws {
        let file = TestSupport.path("Fixtures/corpus/train.jsonl")
        var training = Training()
        training.folds = 0
        let (model, summary) = try training.train(inputs: [file])
        var reference = NaiveBayesModel()
        var extractor = FeatureExtractor()
        try PostReader().forEachPostText(in: file) { reference.update(with: $0, extractor: &extractor) }
        #expect(summary.posts > 100)
        #expect(Self.same(model.vocabulary, reference.vocabulary))
        #expect(model.totalCounts == reference.totalCounts && model.flagCounts == reference.flagCounts)
        #expect(model.flags == reference.flags && model.flagDocumentCounts == reference.flagDocumentCounts)
    }
}
