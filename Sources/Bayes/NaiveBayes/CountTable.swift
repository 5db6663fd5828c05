import Features

/// The counts `train` adds up, keyed by token hash: one open-addressing table whose row for a
/// token holds its key and every count (total, then one per flag) side by side, so counting a
/// token touches one row, where the model's layout (`Vocabulary` keys, then slots, then
/// `totalCounts[i]`, then `flagCounts[f][i]`) touches up to 3 + F arrays, each a cache miss
/// once the vocabulary outgrows the cache.
///
/// Slots follow `Vocabulary`'s rules exactly (the same home slot, linear probing, growth when
/// half full, re-insertion in slot order), so ``vocabulary()`` gives the table that
/// `Vocabulary.insert` would have built, slot for slot, and features are numbered in the order
/// they were first seen. New token texts go back to back into one byte arena, as in
/// `Vocabulary`.
///
/// Counts are stored as the bit patterns of `Double`s and added one addition at a time, in the
/// order the model adds them, so the sums are bit-identical.
final class CountTable {
    /// Table slots (a power of two).
    private(set) var capacity: Int
    /// Words per row: the key (0: empty slot), the total count, one count per flag.
    private(set) var stride: Int
    private(set) var flagCount = 0
    /// Features stored.
    private(set) var count = 0
    private var mask: Int
    private var shift: UInt64
    private var rows: UnsafeMutablePointer<UInt64>
    /// The feature index of each filled slot (the order tokens were first seen).
    private var indexes: UnsafeMutablePointer<Int32>
    /// Token texts, back to back; token `i` is `blob[offsets[i]..<offsets[i+1]]`.
    let blob = ReusableBuffer<UInt8>(capacity: 1 << 16)
    let offsets = ReusableBuffer<UInt32>(capacity: 1 << 12)

    /// A table as empty as `Vocabulary()`: 8,192 slots.
    init(capacity: Int = Vocabulary().capacity) {
        precondition(capacity >= 2 && capacity & (capacity - 1) == 0, "the capacity must be a power of two")
        self.capacity = capacity
        stride = 2
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        rows = .allocate(capacity: capacity * stride)
        rows.initialize(repeating: 0, count: capacity * stride)
        indexes = .allocate(capacity: capacity)
        indexes.initialize(repeating: -1, count: capacity)
        offsets.append(0)
    }

    deinit {
        rows.deallocate()
        indexes.deallocate()
    }

    @inline(__always) private func home(_ k: UInt64) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The slot of a token, or -1 when the table lacks it.
    @inline(__always)
    func slot(of hash: UInt64) -> Int {
        let k = Vocabulary.key(hash)
        var i = home(k)
        while true {
            let stored = rows[i &* stride]
            if stored == k { return i }
            if stored == 0 { return -1 }
            i = (i &+ 1) & mask
        }
    }

    /// The slot of a token, adding it (with its text, and zero counts) when new:
    /// `appendText(blob)` appends its UTF-8 text to the arena. Adding may grow the table,
    /// which moves every row: slots found before are then stale.
    @inline(__always)
    func slot(inserting hash: UInt64, appendingText appendText: (ReusableBuffer<UInt8>) -> Void) -> Int {
        let k = Vocabulary.key(hash)
        var i = home(k)
        while true {
            let stored = rows[i &* stride]
            if stored == k { return i }
            if stored == 0 { break }
            i = (i &+ 1) & mask
        }
        return insert(k, at: i, appendingText: appendText)
    }

    /// Looks up every hash, storing the slots in `found`, until the first the table lacks:
    /// true when it has them all.
    @inline(__always)
    func find(_ hashes: UnsafeBufferPointer<UInt64>, into found: ReusableBuffer<Int>) -> Bool {
        found.reserveCapacity(hashes.count)
        let out = found.base
        let rows = rows, stride = stride, mask = mask, shift = shift
        var n = 0
        for h in hashes {
            let k = Vocabulary.key(h)
            var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while true {
                let stored = rows[i &* stride]
                if stored == k { break }
                if stored == 0 {
                    found.count = n
                    return false
                }
                i = (i &+ 1) & mask
            }
            out[n] = i
            n &+= 1
        }
        found.count = n
        return true
    }

    /// Adds `w` to the total count of the tokens in `slots` and to their counts for each flag
    /// in `flags`, token by token.
    @inline(__always)
    func add(_ w: Double, slots: UnsafeBufferPointer<Int>, flags: UnsafeBufferPointer<Int>) {
        let rows = rows, stride = stride
        if flags.isEmpty {
            for s in slots {
                let row = rows + s &* stride
                row[1] = (Double(bitPattern: row[1]) + w).bitPattern
            }
            return
        }
        for s in slots {
            let row = rows + s &* stride
            row[1] = (Double(bitPattern: row[1]) + w).bitPattern
            for f in flags { row[2 &+ f] = (Double(bitPattern: row[2 &+ f]) + w).bitPattern }
        }
    }

    /// Adds key `k`, absent, whose probe ended at the empty slot `i`.
    private func insert(_ k: UInt64, at slot: Int, appendingText appendText: (ReusableBuffer<UInt8>) -> Void) -> Int {
        var i = slot
        if (count + 1) * 2 > capacity {
            grow()
            i = home(k)
            while rows[i &* stride] != 0 { i = (i &+ 1) & mask }
        }
        rows[i &* stride] = k
        indexes[i] = Int32(count)
        count += 1
        appendText(blob)
        offsets.append(UInt32(blob.count))
        return i
    }

    /// Doubles the slots, re-inserting the rows in slot order (as `Vocabulary` does).
    private func grow() {
        let oldRows = rows
        let oldIndexes = indexes
        let oldCapacity = capacity
        capacity *= 2
        mask = capacity - 1
        shift -= 1
        rows = .allocate(capacity: capacity * stride)
        rows.initialize(repeating: 0, count: capacity * stride)
        indexes = .allocate(capacity: capacity)
        indexes.initialize(repeating: -1, count: capacity)
        for s in 0..<oldCapacity {
            let row = oldRows + s * stride
            let k = row[0]
            if k == 0 { continue }
            var i = home(k)
            while rows[i &* stride] != 0 { i = (i &+ 1) & mask }
            (rows + i * stride).update(from: row, count: stride)
            indexes[i] = oldIndexes[s]
        }
        oldRows.deallocate()
        oldIndexes.deallocate()
    }

    /// Adds a count column for a new flag (zero for every token so far); returns its number.
    func addFlag() -> Int {
        let old = rows
        let oldStride = stride
        stride += 1
        rows = .allocate(capacity: capacity * stride)
        for s in 0..<capacity {
            (rows + s * stride).initialize(from: old + s * oldStride, count: oldStride)
            (rows + s * stride + oldStride).initialize(to: Double(0).bitPattern)
        }
        old.deallocate()
        flagCount += 1
        return flagCount - 1
    }

    /// Adds `w` to the total count of the token in `slot` and to its count for each flag in
    /// `flags`.
    @inline(__always)
    func add(_ w: Double, slot: Int, flags: UnsafeBufferPointer<Int>) {
        let row = rows + slot &* stride
        row[1] = (Double(bitPattern: row[1]) + w).bitPattern
        for f in flags { row[2 &+ f] = (Double(bitPattern: row[2 &+ f]) + w).bitPattern }
    }

    /// The key stored in `slot` (0 for an empty slot).
    func key(atSlot slot: Int) -> UInt64 { rows[slot * stride] }

    /// The feature index stored in `slot` (-1 for an empty slot).
    func index(atSlot slot: Int) -> Int { Int(indexes[slot]) }

    /// The counts of the token in `slot`: total, then one per flag.
    func counts(atSlot slot: Int) -> [Double] {
        (1..<stride).map { Double(bitPattern: rows[slot * stride + $0]) }
    }

    /// The vocabulary `Vocabulary.insert` would have built from the same tokens, in the same
    /// order.
    func vocabulary() -> Vocabulary {
        let keys = [UInt64](unsafeUninitializedCapacity: capacity) { out, n in
            for s in 0..<capacity { out[s] = rows[s &* stride] }
            n = capacity
        }
        let slots = Array(UnsafeBufferPointer(start: indexes, count: capacity))
        return Vocabulary(keys: keys, slots: slots, blob: Array(blob.elements), offsets: Array(offsets.elements))
    }

    /// The counts in the model's layout: `total[i]`, and `flags[f][i]`, for feature `i`.
    func columns() -> (total: [Double], flags: [[Double]]) {
        func column(_ word: Int) -> [Double] {
            [Double](unsafeUninitializedCapacity: count) { out, n in
                for s in 0..<capacity where indexes[s] >= 0 {
                    out[Int(indexes[s])] = Double(bitPattern: rows[s &* stride &+ word])
                }
                n = count
            }
        }
        return (column(1), (0..<flagCount).map { column(2 + $0) })
    }
}
