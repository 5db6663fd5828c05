/// The model's features: token hash → dense index, plus each token's text for explanations.
///
/// An open-addressing table of 64-bit hashes: lookup is a multiply-free mask and a short probe,
/// and the arrays load from a model file with plain copies. Token texts live in one byte blob
/// and are decoded only when asked for.
public struct Vocabulary: Sendable {
    /// Table slots: 0 means empty (a token hashing to 0 is stored as 1).
    private(set) var keys: [UInt64]
    private(set) var slots: [Int32]
    /// Token texts, back to back; token `i` is `blob[offsets[i]..<offsets[i+1]]`.
    private(set) var blob: [UInt8] = []
    private(set) var offsets: [UInt32] = [0]

    public var count: Int { offsets.count - 1 }

    public init(capacity: Int = 1 << 12) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        keys = [UInt64](repeating: 0, count: c)
        slots = [Int32](repeating: -1, count: c)
    }

    init(keys: [UInt64], slots: [Int32], blob: [UInt8], offsets: [UInt32]) {
        self.keys = keys
        self.slots = slots
        self.blob = blob
        self.offsets = offsets
    }

    @inline(__always) static func key(_ hash: UInt64) -> UInt64 { hash == 0 ? 1 : hash }

    /// The home slot of a key: Fibonacci hashing takes the top bits of a multiply, which spreads
    /// FNV hashes of similar short tokens evenly (their low bits cluster).
    @inline(__always) static func home(_ k: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - capacity.trailingZeroBitCount))
    }

    /// The index of a token, or nil when the model has never seen it.
    @inline(__always)
    public func index(of hash: UInt64) -> Int? {
        let k = Self.key(hash)
        let mask = keys.count - 1
        var i = Self.home(k, capacity: keys.count)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let stored = keys[i]
                if stored == k { return Int(slots[i]) }
                if stored == 0 { return nil }
                i = (i + 1) & mask
            }
        }
    }

    /// The index of a token, adding it (with its text) when new.
    public mutating func insert(_ hash: UInt64, text: () -> String) -> (index: Int, isNew: Bool) {
        if let i = index(of: hash) { return (i, false) }
        return (add(hash) { $0.append(contentsOf: text().utf8) }, true)
    }

    /// `insert` with the text of token `i` of another vocabulary, copied as bytes.
    mutating func insert(_ hash: UInt64, textOf i: Int, in other: Vocabulary) -> Int {
        if let found = index(of: hash) { return found }
        return add(hash) { $0.append(contentsOf: other.blob[Int(other.offsets[i])..<Int(other.offsets[i + 1])]) }
    }

    /// Adds a token the table lacks; `appendText` appends its UTF-8 text to the blob.
    private mutating func add(_ hash: UInt64, appendingText appendText: (inout [UInt8]) -> Void) -> Int {
        if (count + 1) * 2 > keys.count { grow() }
        let k = Self.key(hash)
        let mask = keys.count - 1
        var i = Self.home(k, capacity: keys.count)
        while keys[i] != 0 { i = (i + 1) & mask }
        let index = count
        keys[i] = k
        slots[i] = Int32(index)
        appendText(&blob)
        offsets.append(UInt32(blob.count))
        return index
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldSlots = slots
        let c = keys.count * 2
        keys = [UInt64](repeating: 0, count: c)
        slots = [Int32](repeating: -1, count: c)
        let mask = c - 1
        for (k, s) in zip(oldKeys, oldSlots) where k != 0 {
            var i = Self.home(k, capacity: c)
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = k
            slots[i] = s
        }
    }

    /// Table slots (a power of two).
    public var capacity: Int { keys.count }

    /// Calls `body` with each filled slot, its key and its feature index.
    func forEachSlot(_ body: (Int, UInt64, Int) -> Void) {
        for (slot, k) in keys.enumerated() where k != 0 { body(slot, k, Int(slots[slot])) }
    }

    /// The text of token `i`.
    public func token(_ i: Int) -> String {
        String(decoding: blob[Int(offsets[i])..<Int(offsets[i + 1])], as: UTF8.self)
    }
}
