#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Posts

/// Buffered standard output: JSONL lines are collected and written in large blocks.
struct Output {
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    init() { buffer.reserveCapacity(limit + 4096) }

    mutating func write(_ w: JSONWriter) {
        buffer.append(contentsOf: w.bytes)
        buffer.append(0x0A)
        if buffer.count >= limit { flush() }
    }

    /// Lets `body` append one line's bytes (no newline) straight into the buffer.
    mutating func writeLine(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        buffer.append(0x0A)
        if buffer.count >= limit { flush() }
    }

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= limit { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in Console.writeAll(1, raw) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Messages for people, on standard error.
enum Console {
    static func warn(_ message: String) {
        error("warning: \(message)\n")
    }

    static func info(_ message: String) {
        error("\(message)\n")
    }

    static func error(_ text: String) {
        var text = text
        text.withUTF8 { writeAll(2, UnsafeRawBufferPointer($0)) }
    }

    /// write(2) until done; a closed pipe ends the write quietly.
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) {
        var done = 0
        while done < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }

    /// Whether standard error is a terminal (progress is shown only then).
    static let isTerminal = isatty(2) != 0

    /// Rewrites one progress line on a terminal; nothing when piped.
    static func progress(_ message: String) {
        guard isTerminal else { return }
        error("\r\u{1B}[K\(message)")
    }

    static func endProgress() {
        guard isTerminal else { return }
        error("\r\u{1B}[K")
    }
}
