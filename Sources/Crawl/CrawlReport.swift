public import Foundation
import Posts

/// What one source did in one run.
public struct SourceReport: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        /// Fetched and stored.
        case ok
        /// HTTP 304 or an unchanged local file: nothing to read.
        case notModified
        /// Could not be read; retried later with backoff.
        case failed(String)
        /// Another worker holds its lease.
        case leased(String)
        /// Its next run is later.
        case notDue(Date)
        /// `enabled = false`.
        case disabled

        public var name: String {
            switch self {
            case .ok: "ok"
            case .notModified: "304"
            case .failed: "failed"
            case .leased: "leased"
            case .notDue: "not due"
            case .disabled: "disabled"
            }
        }

        /// Whether the source was fetched (or tried) in this run.
        public var attempted: Bool {
            switch self {
            case .ok, .notModified, .failed: true
            default: false
            }
        }
    }

    public var source: String
    public var status: Status
    /// Posts read from the source.
    public var fetched = 0
    public var new = 0
    public var changed = 0
    /// Posts read with unchanged content.
    public var unchanged = 0
    /// Conditional requests answered "not modified" (0 or 1).
    public var notModified = 0
    /// Posts or pages that could not be read, plus 1 when the whole source failed.
    public var failed = 0
    public var flagged = 0
    public var queued = 0
    /// The messages behind `failed`.
    public var errors: [String] = []
    public var nextDueAt: Date?

    public init(source: String, status: Status) {
        self.source = source
        self.status = status
    }
}

/// One run over the sources file: a report per source and the totals.
public struct CrawlReport: Sendable {
    public var sources: [SourceReport]
    public var startedAt: Date
    public var duration: Duration

    public init(sources: [SourceReport], startedAt: Date, duration: Duration) {
        self.sources = sources
        self.startedAt = startedAt
        self.duration = duration
    }

    public var attempted: Int { sources.filter(\.status.attempted).count }
    public var failedSources: Int { sources.filter { if case .failed = $0.status { true } else { false } }.count }
    /// True when at least one source was tried and every one of them failed (exit status 1).
    public var everySourceFailed: Bool { attempted > 0 && failedSources == attempted }

    public var total: SourceReport {
        var t = SourceReport(source: "total", status: .ok)
        for s in sources {
            t.fetched += s.fetched
            t.new += s.new
            t.changed += s.changed
            t.unchanged += s.unchanged
            t.notModified += s.notModified
            t.failed += s.failed
            t.flagged += s.flagged
            t.queued += s.queued
        }
        return t
    }

    /// Posts read per second of wall time.
    public var postsPerSecond: Double {
        let seconds = duration.inSeconds
        return seconds > 0 ? Double(total.fetched) / seconds : 0
    }

    /// The per-source table and the total line, for people.
    public func table() -> String {
        let headers = ["source", "status", "fetched", "new", "changed", "unchanged", "304", "failed", "flagged", "queued"]
        func row(_ s: SourceReport, status: String) -> [String] {
            [s.source, status] + [s.fetched, s.new, s.changed, s.unchanged, s.notModified, s.failed, s.flagged, s.queued].map(String.init)
        }
        var rows = sources.map { row($0, status: $0.status.name) }
        let seconds = duration.inSeconds
        rows.append(row(total, status: "\(attempted)/\(sources.count) run"))
        var widths = headers.map(\.count)
        for r in rows { for (k, cell) in r.enumerated() { widths[k] = max(widths[k], cell.count) } }
        widths[0] = min(widths[0], 48)
        func line(_ cells: [String]) -> String {
            var out = ""
            for (k, cell) in cells.enumerated() {
                let c = k == 0 && cell.count > widths[0] ? String(cell.prefix(widths[0] - 1)) + "…" : cell
                let pad = String(repeating: " ", count: max(0, widths[k] - c.count))
                out += k < 2 ? c + pad : pad + c
                if k < cells.count - 1 { out += "  " }
            }
            return out
        }
        var text = line(headers) + "\n"
        for r in rows.dropLast() { text += line(r) + "\n" }
        text += line(rows.last!) + "\n"
        text += "\(attempted) source\(attempted == 1 ? "" : "s") run, \(failedSources) failed; \(total.fetched) posts in "
            + String(format: "%.2f", seconds) + " s (" + String(format: "%.0f", postsPerSecond) + " posts/s)\n"
        return text
    }

    /// One JSON object per source, then one for the total (`"source": "total"`).
    public func jsonLines() -> String {
        var out = ""
        for s in sources + [total] {
            var w = JSONWriter()
            w.beginObject()
            w.key("source")
            w.string(s.source)
            w.key("status")
            w.string(s.source == "total" && s.status == .ok ? (everySourceFailed ? "failed" : "ok") : s.status.name)
            for (k, v) in [
                ("fetched", s.fetched), ("new", s.new), ("changed", s.changed), ("unchanged", s.unchanged),
                ("notModified", s.notModified), ("failed", s.failed), ("flagged", s.flagged), ("queued", s.queued),
            ] {
                w.key(k)
                w.int(v)
            }
            if !s.errors.isEmpty {
                w.key("errors")
                w.stringArray(s.errors)
            }
            if case .failed(let message) = s.status {
                w.key("error")
                w.string(message)
            }
            if s.source == "total" {
                w.key("sources")
                w.int(sources.count)
                w.key("run")
                w.int(attempted)
                w.key("failedSources")
                w.int(failedSources)
                w.key("seconds")
                w.number((duration.inSeconds * 1000).rounded() / 1000)
                w.key("postsPerSecond")
                w.number(postsPerSecond.rounded())
            }
            if let next = s.nextDueAt {
                w.key("nextDue")
                w.string(next.ISO8601Format())
            }
            w.endObject()
            out += String(decoding: w.bytes, as: UTF8.self) + "\n"
        }
        return out
    }
}
