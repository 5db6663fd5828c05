#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The binary model file (`model.swnb`): a small JSON header, then the vocabulary table and the
/// counts as raw little-endian arrays, so loading is one read and a few copies.
///
/// ```
/// "SWNBMODL"  format version (UInt32)  header length (UInt32)  header JSON
/// (8-byte aligned) keys [UInt64 × capacity]  slots [Int32 × capacity]  offsets [UInt32 × (V+1)]
///                  token texts [UInt8 × blobLength]  total counts [Float64 × V]
///                  flag counts [Float64 × V] × F
/// "SWNBEND!"
/// ```
public enum ModelFile {
    public static let formatVersion: UInt32 = 1
    static let magic = Array("SWNBMODL".utf8)
    static let trailer = Array("SWNBEND!".utf8)
    public static let modelFileName = "model.swnb"
    public static let cardFileName = "card.json"

    struct Header: Codable {
        var flags: [String]
        var configuration: NaiveBayesModel.Configuration
        var documentCount: Double
        var flagDocumentCounts: [Double]
        var vocabularySize: Int
        var tableCapacity: Int
        var blobLength: Int
        var thresholds: [String: NaiveBayesModel.Thresholds]
    }

    /// The model file inside a model folder, or the path itself when it names a file.
    public static func modelPath(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return (path as NSString).appendingPathComponent(modelFileName)
        }
        return path
    }

    // MARK: Writing

    /// Writes the model file atomically (a temporary file renamed into place), so a crash never
    /// leaves a half-written model where a good one was.
    public static func write(_ model: NaiveBayesModel, to path: String) throws {
        let v = model.vocabulary
        let header = Header(
            flags: model.flags, configuration: model.configuration, documentCount: model.documentCount,
            flagDocumentCounts: model.flagDocumentCounts, vocabularySize: v.count, tableCapacity: v.keys.count,
            blobLength: v.blob.count, thresholds: model.thresholds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var out: [UInt8] = []
        out.reserveCapacity(64 + json.count + v.keys.count * 12 + v.blob.count + (model.flags.count + 1) * v.count * 8)
        out.append(contentsOf: magic)
        append(formatVersion, to: &out)
        append(UInt32(json.count), to: &out)
        out.append(contentsOf: json)
        appendArray(v.keys, to: &out)
        appendArray(v.slots, to: &out)
        appendArray(v.offsets, to: &out)
        appendArray(v.blob, to: &out)
        appendArray(Array(model.totalCounts.prefix(v.count)), to: &out)
        for f in model.flagCounts.indices { appendArray(Array(model.flagCounts[f].prefix(v.count)), to: &out) }
        out.append(contentsOf: trailer)
        let data = Data(out)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func align(_ out: inout [UInt8]) {
        while out.count % 8 != 0 { out.append(0) }
    }

    static func appendArray<T>(_ array: [T], to out: inout [UInt8]) {
        align(&out)
        array.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    // MARK: Reading

    /// Loads a model from a model folder or a `model.swnb` file.
    ///
    /// Throws `ModelError` naming the file when it is missing, truncated, not a model, or from a
    /// newer format.
    public static func load(_ path: String) throws -> NaiveBayesModel {
        let file = modelPath(path)
        let bytes = try readWholeFile(file)
        return try bytes.withUnsafeBytes { raw in try parse(raw, file: file) }
    }

    static func readWholeFile(_ file: String) throws(ModelError) -> [UInt8] {
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw ModelError(.io, "could not open model '\(file)': \(why). Train one with 'smugglewatch train --input F --out DIR' or pass --model.")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ModelError(.io, "could not read model '\(file)'.") }
        let size = Int(st.st_size)
        var failure: ModelError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            if done < size { failure = ModelError(.io, "could not read all of model '\(file)' (\(done) of \(size) bytes).") }
            count = done
        }
        if let failure { throw failure }
        return bytes
    }

    static func parse(_ raw: UnsafeRawBufferPointer, file: String) throws(ModelError) -> NaiveBayesModel {
        func truncated() -> ModelError {
            ModelError(.truncated, "model '\(file)' is truncated (\(raw.count) bytes): copy it again or retrain it.")
        }
        guard raw.count >= 16 else {
            if raw.count >= 8 && Array(raw[0..<8]) == magic || raw.count < 8 && Array(raw) == Array(magic.prefix(raw.count)) {
                throw truncated()
            }
            throw ModelError(.badFormat, "'\(file)' is not a SmuggleWatch model (no SWNBMODL header).")
        }
        guard Array(raw[0..<8]) == magic else {
            throw ModelError(.badFormat, "'\(file)' is not a SmuggleWatch model (no SWNBMODL header).")
        }
        let version = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
        guard version <= formatVersion else {
            throw ModelError(
                .newerFormat,
                "model '\(file)' has format version \(version), but this smugglewatch reads up to version \(formatVersion): upgrade smugglewatch or retrain the model.")
        }
        guard version >= 1 else { throw ModelError(.badFormat, "model '\(file)' has an unknown format version \(version).") }
        let headerLength = Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
        guard 16 + headerLength <= raw.count else { throw truncated() }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(raw[16..<(16 + headerLength)]))
        } catch {
            throw ModelError(.badFormat, "model '\(file)' has a damaged header: \(error). Retrain the model.")
        }
        let v = header.vocabularySize
        let cap = header.tableCapacity
        guard v >= 0, cap >= 16, cap & (cap - 1) == 0, v * 2 <= cap, header.blobLength >= 0,
            header.flagDocumentCounts.count == header.flags.count
        else { throw ModelError(.badFormat, "model '\(file)' has an inconsistent header. Retrain the model.") }
        var offset = 16 + headerLength
        func take<T>(_ count: Int, as: T.Type) throws(ModelError) -> [T] {
            offset = (offset + 7) & ~7
            let bytes = count * MemoryLayout<T>.stride
            guard offset + bytes <= raw.count else { throw truncated() }
            let array = [T](unsafeUninitializedCapacity: count) { buffer, n in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + bytes)]))
                n = count
            }
            offset += bytes
            return array
        }
        let keys = try take(cap, as: UInt64.self)
        let slots = try take(cap, as: Int32.self)
        let offsets = try take(v + 1, as: UInt32.self)
        let blob = try take(header.blobLength, as: UInt8.self)
        let total = try take(v, as: Double.self)
        var flagCounts: [[Double]] = []
        for _ in header.flags { flagCounts.append(try take(v, as: Double.self)) }
        guard offset + 8 <= raw.count else { throw truncated() }
        guard Array(raw[offset..<(offset + 8)]) == trailer, offset + 8 == raw.count else {
            throw ModelError(.badFormat, "model '\(file)' is damaged (its end marker is missing). Retrain the model.")
        }
        guard offsets.last.map({ Int($0) == blob.count }) ?? false else {
            throw ModelError(.badFormat, "model '\(file)' is damaged (token table does not match). Retrain the model.")
        }
        return NaiveBayesModel(
            configuration: header.configuration, flags: header.flags,
            vocabulary: Vocabulary(keys: keys, slots: slots, blob: blob, offsets: offsets),
            documentCount: header.documentCount, flagDocumentCounts: header.flagDocumentCounts, totalCounts: total,
            flagCounts: flagCounts, thresholds: header.thresholds)
    }
}
