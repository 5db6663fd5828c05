/// Wrapping styled text to a terminal width and encoding it as ANSI or plain text.
public enum Layout {
    /// Wraps `text` into lines of at most `width` columns, breaking at spaces (or inside a word
    /// longer than a line). `prefix` starts the first line; continuation lines and lines after a
    /// newline in `text` start with `indent` spaces.
    ///
    /// - Complexity: O(n) in the number of scalars.
    public static func wrap(_ text: StyledText, width: Int, prefix: StyledText = StyledText(), indent: Int = 0) -> [StyledText] {
        let width = max(width, 8)
        let indent = min(indent, width / 2)
        let indentText = StyledText(String(repeating: " ", count: indent))
        var lines: [StyledText] = []
        var line = prefix
        var column = prefix.scalars.reduce(0) { $0 + DisplayWidth.of($1) }
        var floor = prefix.count  // never break before this index of `line`
        var lastBreak: Int?  // index just after the last space in `line`

        func newLine() {
            lines.append(line.trimmingTrailingSpaces())
            line = indentText
            column = indent
            floor = indent
            lastBreak = nil
        }

        for i in 0..<text.count {
            let s = text.scalars[i]
            if s == "\n" {
                newLine()
                continue
            }
            let w = DisplayWidth.of(s)
            if column + w > width, line.count > floor {
                if s == " " {
                    newLine()
                    continue
                }
                if let b = lastBreak, b > floor, b < line.count {
                    var rest = StyledText()
                    rest.scalars = Array(line.scalars[b...])
                    rest.styles = Array(line.styles[b...])
                    line.scalars.removeSubrange(b...)
                    line.styles.removeSubrange(b...)
                    newLine()
                    line.append(rest)
                    column += rest.scalars.reduce(0) { $0 + DisplayWidth.of($1) }
                } else {
                    newLine()
                }
            }
            if s == " ", line.count == floor, floor == indent, !lines.isEmpty { continue }  // no leading space after a wrap
            line.scalars.append(s)
            line.styles.append(text.styles[i])
            column += w
            if s == " " { lastBreak = line.count }
        }
        lines.append(line.trimmingTrailingSpaces())
        return lines
    }

    /// One line as terminal text: SGR sequences where the style changes (and a reset at the end)
    /// when `color` is on, the bare characters otherwise.
    public static func encode(_ line: StyledText, color: Bool) -> String {
        var out = String.UnicodeScalarView()
        var current = Style.plain
        for (s, style) in zip(line.scalars, line.styles) {
            if color, style != current {
                out.append(contentsOf: "\u{1B}[0m".unicodeScalars)
                if style != .plain { out.append(contentsOf: "\u{1B}[\(style.sgr)m".unicodeScalars) }
                current = style
            }
            out.append(s)
        }
        if color, current != .plain { out.append(contentsOf: "\u{1B}[0m".unicodeScalars) }
        return String(out)
    }

    /// Display width of a line in columns.
    public static func width(_ line: StyledText) -> Int { line.scalars.reduce(0) { $0 + DisplayWidth.of($1) } }
}

extension StyledText {
    func trimmingTrailingSpaces() -> StyledText {
        var copy = self
        while copy.scalars.last == " " {
            copy.scalars.removeLast()
            copy.styles.removeLast()
        }
        return copy
    }

    /// Evidence runs wrapped in visible markers (`[[+52 55…]]`, `<<cruzar de noche>>`), for
    /// terminals without colour.
    public func withMarkers() -> StyledText {
        var out = StyledText()
        var i = 0
        while i < count {
            let style = styles[i]
            var j = i
            while j < count, styles[j] == style { j += 1 }
            if let markers = style.plainMarkers { out.append(markers.open, .plain) }
            out.scalars += scalars[i..<j]
            out.styles += styles[i..<j]
            if let markers = style.plainMarkers { out.append(markers.close, .plain) }
            i = j
        }
        return out
    }
}
