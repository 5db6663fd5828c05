import Foundation

/// A contact identifier found in a post (a phone number, a WhatsApp or Telegram link, a WeChat
/// id, an @handle), normalised so the same identifier written differently matches.
///
/// The store indexes the identifiers of each post's latest prediction, so a reviewer sees the
/// other posts that advertise the same number or handle
/// (``ReviewQueueStore/postsSharingContacts(postID:limit:)``).
///
/// ```swift
/// ContactIdentifier.normalized(kind: "whatsapp", value: "wa.me/525555550142")  // "525555550142"
/// ContactIdentifier.normalized(kind: "handle", value: "@Paso_Seguro_demo")      // "paso_seguro_demo"
/// ```
public struct ContactIdentifier: Sendable, Hashable, Comparable {
    /// The evidence kind: `phone`, `whatsapp`, `telegram`, `wechat` or `handle`.
    public var kind: String
    /// The normalised value: digits for phone numbers and WhatsApp numbers; lower case without
    /// scheme, `t.me/` or `@` for links, handles and ids.
    public var value: String

    public init(kind: String, value: String) {
        self.kind = kind
        self.value = value
    }

    public static func < (a: Self, b: Self) -> Bool { (a.value, a.kind) < (b.value, b.kind) }

    /// The evidence kinds that identify a contact. Keywords alone ("whatsapp", 微信) carry no
    /// identifier and are left out.
    public static let kinds: Set<String> = ["phone", "whatsapp", "telegram", "wechat", "handle"]

    /// The contact identifiers in a prediction's evidence JSON (an array of evidence objects,
    /// as `classify --explain` writes them), de-duplicated and sorted. Malformed JSON or
    /// entries yield nothing rather than an error: evidence is advisory.
    public static func identifiers(inEvidenceJSON json: String) -> [ContactIdentifier] {
        guard let records = try? JSONDecoder().decode([LenientEvidence].self, from: Data(json.utf8)) else { return [] }
        var found = Set<ContactIdentifier>()
        for record in records {
            guard let kind = record.kind, kinds.contains(kind) else { continue }
            // `value` is left out of the JSON when it equals the text.
            guard let raw = record.value ?? record.text, let value = normalized(kind: kind, value: raw) else { continue }
            found.insert(ContactIdentifier(kind: kind, value: value))
        }
        return found.sorted()
    }

    /// The matching key for one identifier, or `nil` when the text carries no identifier (a
    /// bare keyword such as "whats", "TG" or 微信).
    public static func normalized(kind: String, value raw: String) -> String? {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for prefix in ["https://", "http://", "www."] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        let digits = text.unicodeScalars.filter { ("0"..."9").contains($0) }
        switch kind {
        case "phone":
            return digits.count >= 6 ? String(String.UnicodeScalarView(digits)) : nil
        case "whatsapp":
            // wa.me/525555550142, api.whatsapp.com/send?phone=…, or a number after "whats".
            if digits.count >= 6 { return String(String.UnicodeScalarView(digits)) }
            return linkID(text)
        default:
            return linkID(text)
        }
    }

    /// `t.me/name`, `@name`, `name`: the last path part, without `@`, when it looks like an id.
    static func linkID(_ text: String) -> String? {
        var id = Substring(text)
        if let slash = id.lastIndex(of: "/") { id = id[id.index(after: slash)...] }
        while id.first == "@" { id.removeFirst() }
        if let query = id.firstIndex(of: "?") { id = id[..<query] }
        // An id has no spaces and at least three letters, digits, `_`, `-` or `.`.
        let allowed = id.unicodeScalars.allSatisfy { s in
            s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-" || s == "."
        }
        guard allowed, id.count >= 3 else { return nil }
        // A keyword alone ("whatsapp", "telegram", "wechat", "vx") is not an identifier.
        let keywords: Set<String> = ["whatsapp", "whats", "wsp", "telegram", "tg", "wechat", "weixin", "vx", "wx", "dm", "inbox"]
        guard !keywords.contains(String(id)) else { return nil }
        // The raw text must show it is an identifier: a link, an @, a digit or an underscore.
        guard text.contains("/") || text.contains("@") || text.contains("_") || id.unicodeScalars.contains(where: { ("0"..."9").contains($0) })
        else { return nil }
        return String(id)
    }

    /// Just enough of an evidence object to find identifiers; every key is optional.
    struct LenientEvidence: Decodable {
        var kind: String?
        var value: String?
        var text: String?

        enum CodingKeys: String, CodingKey { case kind, value, text }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try? c.decodeIfPresent(String.self, forKey: .kind)
            value = try? c.decodeIfPresent(String.self, forKey: .value)
            text = try? c.decodeIfPresent(String.self, forKey: .text)
        }
    }
}

/// Another post that shares at least one contact identifier with the post under review.
public struct SharedContactPost: Sendable, Hashable {
    public var postID: String
    /// The identifiers both posts carry.
    public var contacts: [ContactIdentifier]

    public init(postID: String, contacts: [ContactIdentifier]) {
        self.postID = postID
        self.contacts = contacts
    }
}

/// What ``ReviewQueueStore/undoLabel(id:by:lease:)`` did.
public struct LabelUndo: Sendable, Hashable {
    /// The label that no longer counts.
    public var undone: Label
    /// The post's current label now: the one before the undone label, or `nil` (unlabelled).
    public var current: Label?
    /// The post's queue item, re-opened and claimed by the reviewer; `nil` when the post had no
    /// queue item or another reviewer holds its open item.
    public var item: ReviewItem?

    public init(undone: Label, current: Label?, item: ReviewItem?) {
        self.undone = undone
        self.current = current
        self.item = item
    }
}
