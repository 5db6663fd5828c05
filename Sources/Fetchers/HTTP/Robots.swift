/// The rules of one robots.txt (RFC 9309) for matching paths against a User-Agent.
///
/// Groups start with `User-agent` lines; `Allow`/`Disallow` patterns support `*` and a final `$`.
/// The longest matching pattern wins and `Allow` wins ties. No group for us and no `*` group: all allowed.
public struct RobotsRules: Sendable, Hashable {
    struct Rule: Sendable, Hashable {
        var allow: Bool
        var pattern: [UInt8]
    }
    struct Group: Sendable, Hashable {
        var agents: [String]
        var rules: [Rule]
    }

    private(set) var groups: [Group] = []
    /// When the whole site is off limits regardless of the file (robots.txt answered 5xx).
    private(set) var disallowAll = false

    public static let allowAll = RobotsRules()
    public static let denyAll: RobotsRules = { var r = RobotsRules(); r.disallowAll = true; return r }()

    init() {}

    /// Parses robots.txt bytes. Never fails: unknown lines are skipped.
    public init(parsing bytes: some Collection<UInt8>) {
        var current: Group?
        var lastWasAgent = false
        for rawLine in bytes.split(omittingEmptySubsequences: true, whereSeparator: { $0 == 0x0A || $0 == 0x0D }) {
            var line = Array(rawLine)
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line.removeSubrange(hash...) }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let key = String(decoding: line[..<colon], as: UTF8.self).trimmingASCIIWhitespace().lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
            switch key {
            case "user-agent":
                if !lastWasAgent {
                    if let g = current { groups.append(g) }
                    current = Group(agents: [], rules: [])
                }
                current?.agents.append(value.lowercased())
                lastWasAgent = true
            case "allow", "disallow":
                lastWasAgent = false
                guard current != nil else { continue }
                if value.isEmpty { continue }  // "Disallow:" with nothing allows everything
                current!.rules.append(Rule(allow: key == "allow", pattern: Array(value.utf8)))
            default:
                lastWasAgent = false
            }
        }
        if let g = current { groups.append(g) }
    }

    /// Whether `path` (path plus query, e.g. `/s/channel?before=10`) may be fetched by `userAgent`.
    public func allows(_ path: String, userAgent: String) -> Bool {
        if disallowAll { return false }
        let token = Self.productToken(userAgent)
        var matched = groups.filter { $0.agents.contains(token) }
        if matched.isEmpty { matched = groups.filter { $0.agents.contains("*") } }
        if matched.isEmpty { return true }
        let p = Array((path.isEmpty ? "/" : path).utf8)
        var best: (length: Int, allow: Bool)? = nil
        for rule in matched.lazy.flatMap(\.rules) where Self.matches(rule.pattern[...], p[...]) {
            let len = rule.pattern.count
            if best == nil || len > best!.length || (len == best!.length && rule.allow) { best = (len, rule.allow) }
        }
        return best?.allow ?? true
    }

    /// `SmuggleWatch/0.1 (+https://…)` → `smugglewatch`.
    static func productToken(_ userAgent: String) -> String {
        let token = userAgent.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return token.lowercased()
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ path: ArraySlice<UInt8>) -> Bool {
        var pattern = pattern
        var path = path
        while let c = pattern.first {
            switch c {
            case UInt8(ascii: "*"):
                let rest = pattern.dropFirst()
                if rest.isEmpty { return true }
                var p = path
                while true {
                    if matches(rest, p) { return true }
                    if p.isEmpty { return false }
                    p = p.dropFirst()
                }
            case UInt8(ascii: "$") where pattern.count == 1:
                return path.isEmpty
            default:
                guard path.first == c else { return false }
                pattern = pattern.dropFirst()
                path = path.dropFirst()
            }
        }
        return true
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
