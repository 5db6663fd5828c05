/// A growable buffer of plain values, reused from text to text by the hot paths (token hashes,
/// folded bytes, piece records, feature indexes): an append is a store and an increment, where
/// an array append asks the runtime whether its storage is shared, every time. Elements are
/// bitwise-copyable, so resetting `count` is all a reuse needs.
public final class ReusableBuffer<Element: BitwiseCopyable> {
    public private(set) var base: UnsafeMutablePointer<Element>
    @usableFromInline var capacity: Int
    public var count = 0

    public init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    @inlinable @inline(__always)
    public func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Appends `elements`.
    @inlinable
    public func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let from = elements.baseAddress else { return }
        reserveCapacity(count + elements.count)
        (base + count).initialize(from: from, count: elements.count)
        count += elements.count
    }

    /// Makes room for `n` elements, so that many appends (or stores through `base`) need no
    /// growth.
    @inlinable
    public func reserveCapacity(_ n: Int) {
        while capacity < n { grow() }
    }

    @usableFromInline func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    @inlinable @inline(__always)
    public subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// The `count` elements, valid until the next append.
    @inlinable public var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }
}

/// Token hashes of one text.
typealias HashBuffer = ReusableBuffer<UInt64>
/// Folded bytes of one text.
typealias ByteBuffer = ReusableBuffer<UInt8>
/// Piece records of one text.
typealias ScanPieces = ReusableBuffer<ScanPiece>

extension ReusableBuffer where Element == UInt64 {
    var hashes: UnsafeBufferPointer<UInt64> { elements }
}

extension ReusableBuffer where Element == UInt8 {
    func string(_ start: Int, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: count), as: UTF8.self)
    }
}
