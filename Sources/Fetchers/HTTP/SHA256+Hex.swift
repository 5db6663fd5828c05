public import Crypto

extension SHA256 {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex SHA-256 of `bytes`: fetch evidence and archive file names.
    public static func hex(of bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in hash(data: Array(bytes)) {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
