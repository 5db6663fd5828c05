import Foundation

/// Writes an evaluation as a self-contained HTML page (PR curves and confusion matrices as
/// inline SVG, no scripts, no network) plus the raw metrics as JSON.
public enum ReportWriter {
    public static func write(_ report: EvaluationReport, model: String, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: dir).appendingPathComponent("metrics.json"), options: .atomic)
        try Data(html(report, model: model).utf8).write(
            to: URL(fileURLWithPath: dir).appendingPathComponent("index.html"), options: .atomic)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static func f(_ x: Double) -> String { String(format: "%.3f", x) }

    public static func html(_ r: EvaluationReport, model: String) -> String {
        var body = """
            <h1>SmuggleWatch evaluation</h1>
            <p>Model <code>\(escape(model))</code> on \(r.examples) labelled posts. Macro-F1 <b>\(f(r.macroF1))</b>
            """
        if let h = r.hardNegativeFlagRate { body += "; hard negatives flagged <b>\(String(format: "%.1f", h * 100))%</b>" }
        body += ".</p>\n<table><tr><th>flag</th><th>precision</th><th>recall</th><th>F1</th><th>average precision</th></tr>\n"
        for m in r.flags {
            body += "<tr><td>\(escape(m.flag))</td><td>\(f(m.precision))</td><td>\(f(m.recall))</td><td>\(f(m.f1))</td><td>\(f(m.averagePrecision))</td></tr>\n"
        }
        body += "</table>\n"
        for m in r.flags {
            body += "<section><h2>\(escape(m.flag))</h2><div class=row>\n"
            body += prCurve(m)
            body += confusion(m)
            body += "</div></section>\n"
        }
        let tags = r.flaggedByTag.keys.sorted()
        if !tags.isEmpty {
            body += "<h2>Flagged by corpus tag</h2><table><tr><th>tag</th><th>posts</th><th>flagged</th><th>share</th></tr>\n"
            for t in tags {
                let c = r.flaggedByTag[t]!
                body += "<tr><td>\(escape(t))</td><td>\(c[0])</td><td>\(c[1])</td><td>\(String(format: "%.1f", Double(c[1]) / Double(max(c[0], 1)) * 100))%</td></tr>\n"
            }
            body += "</table>\n"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>SmuggleWatch evaluation: \(escape(model))</title>
            <style>
            body{font:15px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
            td:first-child,th:first-child{text-align:left}.row{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
            svg text{font:12px system-ui,sans-serif}
            </style></head><body>
            \(body)
            </body></html>
            """
    }

    /// Precision (y) against recall (x), with the operating point of the model's thresholds.
    static func prCurve(_ m: FlagMetrics) -> String {
        let w = 360.0, h = 300.0, pad = 40.0
        func x(_ r: Double) -> Double { pad + r * (w - 2 * pad) }
        func y(_ p: Double) -> Double { h - pad - p * (h - 2 * pad) }
        var path = "M \(x(0)) \(y(m.curve.first?.precision ?? 1))"
        for p in m.curve { path += " L \(f(x(p.recall))) \(f(y(p.precision)))" }
        var svg = "<svg width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"precision-recall curve for \(escape(m.flag))\">"
        svg += "<rect x=\"\(pad)\" y=\"\(pad)\" width=\"\(w - 2 * pad)\" height=\"\(h - 2 * pad)\" fill=\"none\" stroke=\"#999\"/>"
        for t in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<text x=\"\(x(t) - 8)\" y=\"\(h - pad + 16)\">\(t)</text><text x=\"4\" y=\"\(y(t) + 4)\">\(t)</text>"
        }
        svg += "<text x=\"\(w / 2 - 20)\" y=\"\(h - 6)\">recall</text><text x=\"4\" y=\"\(pad - 10)\">precision</text>"
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>"
        svg += "<circle cx=\"\(f(x(m.recall)))\" cy=\"\(f(y(m.precision)))\" r=\"5\" fill=\"#d62728\"><title>thresholds: P \(f(m.precision)) R \(f(m.recall))</title></circle>"
        svg += "</svg>"
        return svg
    }

    /// The 2×2 matrix of `flag` decisions against the truth, shaded by count.
    static func confusion(_ m: FlagMetrics) -> String {
        let c = m.confusion
        let cells = [[c.trueNegatives, c.falsePositives], [c.falseNegatives, c.truePositives]]
        let maxCount = Double(max(1, cells.flatMap { $0 }.max()!))
        let size = 90.0, left = 110.0, top = 40.0
        var svg = "<svg width=\"\(Int(left + 2 * size + 20))\" height=\"\(Int(top + 2 * size + 40))\" role=\"img\" aria-label=\"confusion matrix for \(escape(m.flag))\">"
        svg += "<text x=\"\(left)\" y=\"20\">decision: not flag / flag</text>"
        for (r, label) in ["truth: no", "truth: yes"].enumerated() {
            svg += "<text x=\"4\" y=\"\(top + Double(r) * size + size / 2)\">\(label)</text>"
            for col in 0..<2 {
                let v = cells[r][col]
                let shade = Int(255 - 180 * Double(v) / maxCount)
                svg += "<rect x=\"\(left + Double(col) * size)\" y=\"\(top + Double(r) * size)\" width=\"\(size)\" height=\"\(size)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"#666\"/>"
                svg += "<text x=\"\(left + Double(col) * size + size / 2 - 10)\" y=\"\(top + Double(r) * size + size / 2 + 4)\">\(v)</text>"
            }
        }
        svg += "</svg>"
        return svg
    }
}
