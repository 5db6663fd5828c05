/// FNV-1a, 64 bits: the identity of a token in the model's vocabulary.
///
/// Continuing a hash over more bytes gives the hash of the concatenation, so a bigram "a b" is
/// hashed from the hash of "a" without copying bytes.
public enum TokenHash {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    public static func step(_ h: UInt64, _ byte: UInt8) -> UInt64 {
        (h ^ UInt64(byte)) &* prime
    }

    @inline(__always)
    public static func hash<S: Sequence>(_ bytes: S, from h: UInt64 = offsetBasis) -> UInt64 where S.Element == UInt8 {
        var h = h
        for b in bytes { h = step(h, b) }
        return h
    }

    public static func hash(_ s: String) -> UInt64 { hash(s.utf8) }
}
