import Foundation

/// A JSON value in Swift types, for JSON-LD and API responses (Sendable and comparable, unlike `Any`).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    /// Integers that fit in Int64 stay exact (TikTok video ids exceed Double's 53-bit precision).
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text (a top-level scalar is allowed).
    ///
    /// - Throws: the Foundation error when the bytes are not JSON.
    public init(parsing bytes: some Collection<UInt8>) throws {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        self = JSONValue(foundation: object)
    }

    init(foundation v: Any) {
        switch v {
        case is NSNull: self = .null
        case let s as String: self = .string(s)
        case let n as NSNumber:
            #if canImport(Darwin)
            if CFGetTypeID(n) == CFBooleanGetTypeID() { self = .bool(n.boolValue); return }
            #else
            // JSONSerialization makes true/false NSNumbers of ObjC type "c" (char).
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue); return }
            #endif
            switch String(cString: n.objCType) {
            case "q", "l", "i", "s", "Q", "L", "I", "S": self = .integer(n.int64Value)
            default: self = .number(n.doubleValue)
            }
        case let b as Bool: self = .bool(b)
        case let a as [Any]: self = .array(a.map(JSONValue.init(foundation:)))
        case let d as [String: Any]: self = .object(d.mapValues(JSONValue.init(foundation:)))
        default: self = .null
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var string: String? {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        default: return nil
        }
    }

    /// The keys of an object; empty for other values.
    public var keys: Set<String> {
        if case .object(let o) = self { return Set(o.keys) }
        return []
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var double: Double? {
        switch self {
        case .number(let d): return d
        case .integer(let i): return Double(i)
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// A string, or the strings of an array (for fields that are either).
    var strings: [String] {
        switch self {
        case .string(let s): return [s]
        case .array(let a): return a.compactMap(\.string)
        default: return []
        }
    }

    /// A non-empty trimmed string.
    var text: String? {
        guard let s = string?.trimmedWhitespace, !s.isEmpty else { return nil }
        return s
    }
}
