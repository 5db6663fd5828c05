/// Whole lines of one input, copied out of the reader in chunks so that several threads can
/// read the posts of one file (`train --threads`). Each line keeps its number, so messages name
/// the same line as a single reader would.
public struct LineChunk: Sendable {
    /// The lines' bytes, back to back (newlines and a trailing CR left out, as `LineReader`
    /// gives them).
    var bytes: [UInt8] = []
    /// Per line: where it starts in `bytes`, its length (`-1 - size` for a line over the
    /// limit, which is not copied), and its 1-based number.
    var lines: [Line] = []

    struct Line: Sendable {
        var start: Int
        var count: Int
        var number: Int
    }

    public init() {}
}

extension PostReader {
    /// Reads `path` (nil or `-`: standard input) as chunks of whole lines, about `chunkBytes`
    /// each, handing them to `body` in order with the input's name as messages give it (which
    /// it also returns).
    @discardableResult
    public func forEachChunk(in path: String?, chunkBytes: Int, _ body: (LineChunk, String) throws -> Void) throws -> String {
        let reader = try LineReader(path: path, maxLineBytes: options.maxLineBytes)
        var chunk = LineChunk()
        try reader.forEachLine { line, number in
            switch line {
            case .bytes(let b):
                chunk.lines.append(.init(start: chunk.bytes.count, count: b.count, number: number))
                chunk.bytes.append(contentsOf: b)
            case .tooLong(let size):
                chunk.lines.append(.init(start: chunk.bytes.count, count: -1 - size, number: number))
            }
            if chunk.bytes.count >= chunkBytes {
                try body(chunk, reader.name)
                chunk = LineChunk()
            }
        }
        if !chunk.lines.isEmpty { try body(chunk, reader.name) }
        return reader.name
    }

    /// Reads the posts of one chunk as `forEachPostText` reads them from a file: the same
    /// posts, counts and messages. The messages come back (in line order) instead of going to
    /// `warn`, so chunks read on other threads can be reported in order; a strict reader stops
    /// at the first bad line, which is then the last message.
    public func readPostTexts(
        in chunk: LineChunk, name: String, text: inout PostText, _ body: (PostText) -> Void
    ) -> (summary: Summary, failures: [PostsError]) {
        var summary = Summary()
        var failures: [PostsError] = []
        chunk.bytes.withUnsafeBytes { all in
            for line in chunk.lines {
                let item: LineReader.Line =
                    line.count < 0
                    ? .tooLong(-1 - line.count)
                    : .bytes(UnsafeRawBufferPointer(rebasing: all[line.start..<line.start + line.count]))
                switch read(item, number: line.number, of: name, into: &summary, parse: { bytes throws(LineError) in try text.read(bytes) }) {
                case .post: body(text)
                case .blank: break
                case .bad(let failure):
                    failures.append(failure)
                    if options.strict { return }
                }
            }
        }
        return (summary, failures)
    }
}
