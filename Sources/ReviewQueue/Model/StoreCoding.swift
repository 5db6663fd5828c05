import Crypto
import Foundation
public import Posts

extension Post {
    /// SHA-256 (hex) of the post's content: its JSON line without the fetch time and labels, so a
    /// re-fetch of an unchanged post hashes the same.
    public var contentHash: String {
        var copy = self
        copy.fetched = nil
        copy.labels = nil
        return SHA256.hash(data: Array(copy.jsonLine.utf8)).hexString
    }
}

extension Sequence<UInt8> {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SHA256.Digest {
    var hexString: String { Array(self).hexString }
}

/// JSON text for the plain values the stores keep in TEXT columns.
enum StoreCoding {
    static func encode(flags: [String]) -> String {
        var w = JSONWriter()
        w.stringArray(flags)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static func decodeFlags(_ text: String, location: String) throws -> [String] {
        try decode([String].self, text, what: "flag list", location: location)
    }

    static func encode(scores: [String: Double]) -> String {
        var w = JSONWriter()
        w.beginObject()
        for key in scores.keys.sorted() {
            w.key(key)
            w.number(scores[key]!)
        }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static func encode(decisions: [String: FlagDecision]) -> String {
        var w = JSONWriter()
        w.beginObject()
        for key in decisions.keys.sorted() {
            w.key(key)
            w.string(decisions[key]!.rawValue)
        }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static func encode(detail: [String: String]) -> String {
        var w = JSONWriter()
        w.beginObject()
        for key in detail.keys.sorted() {
            w.key(key)
            w.string(detail[key]!)
        }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String, location: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw ReviewQueueError(
                .invalidData, "A stored \(what) in \(location) is not valid JSON (\(error)). Was the database edited by hand?",
                location: location, cause: error)
        }
    }

    static func decodePost(_ text: String, location: String) throws -> Post {
        do {
            return try Post(jsonLine: text)
        } catch {
            throw ReviewQueueError(
                .invalidData, "A stored post in \(location) could not be read: \(error).", location: location, cause: error)
        }
    }

    /// Trims, de-duplicates and sorts label flags; rejects empty names and an empty reviewer.
    static func normalizedLabel(flags: [String], reviewer: String, postID: String) throws -> [String] {
        guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ReviewQueueError(.invalidLabel, "A label for '\(postID)' needs a reviewer name (pass --reviewer or set SMUGGLEWATCH_REVIEWER).")
        }
        var out = Set<String>()
        for flag in flags {
            let name = flag.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                throw ReviewQueueError(.invalidLabel, "A label for '\(postID)' has an empty flag name. Use --benign for no flags.")
            }
            out.insert(name)
        }
        return out.sorted()
    }

    /// Throws when the store knows model flags and `flags` uses another name.
    static func checkKnown(_ flags: [String], known: Set<String>) throws {
        guard !known.isEmpty else { return }
        let unknown = flags.filter { !known.contains($0) }
        if !unknown.isEmpty { throw ReviewQueueError.unknownFlags(unknown, known: known.sorted()) }
    }

    static func unionOfModelFlags(_ lists: [String], location: String) throws -> Set<String> {
        var known = Set<String>()
        for text in lists { known.formUnion(try decodeFlags(text, location: location)) }
        return known
    }
}
