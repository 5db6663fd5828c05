#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file (or standard input) line by line in fixed-size chunks, so memory stays the same
/// whatever the file's size. Lines longer than `maxLineBytes` are skipped, never buffered whole.
public struct LineReader: ~Copyable {
    /// What the reader is reading, as it appears in messages: a path or `<stdin>`.
    public let name: String
    private let fd: Int32
    private let ownsFD: Bool
    public let maxLineBytes: Int

    /// Opens `path`, or standard input when `path` is nil or `-`.
    public init(path: String?, maxLineBytes: Int = 4 << 20) throws(PostsError) {
        self.maxLineBytes = maxLineBytes
        if path == nil || path == "-" {
            name = "<stdin>"
            fd = 0
            ownsFD = false
            return
        }
        let p = path!
        name = p
        let opened = open(p, O_RDONLY)
        guard opened >= 0 else {
            let why = String(cString: strerror(errno))
            throw PostsError(.io, "could not open '\(p)': \(why). Check the path and its permissions.")
        }
        var st = stat()
        if fstat(opened, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(opened)
            throw PostsError(.io, "'\(p)' is a folder, not a JSONL file. Name a file, or '-' for standard input.")
        }
        fd = opened
        ownsFD = true
    }

    deinit { if ownsFD { close(fd) } }

    /// One line handed to the body: its bytes (without the newline or a trailing CR), or the
    /// size it would have had when it was longer than the limit.
    public enum Line {
        case bytes(UnsafeRawBufferPointer)
        case tooLong(Int)
    }

    /// Calls `body` with each line and its 1-based number. Returns the number of lines read.
    @discardableResult
    public func forEachLine(_ body: (Line, Int) throws -> Void) throws -> Int {
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk + 1024)
        var filled = 0  // bytes in buffer[0..<filled] not yet consumed as lines
        var lineNumber = 0
        var skipping = false  // inside a line that is already too long
        var skippedSize = 0
        var scanned = 0  // bytes of the unfinished tail already searched for a newline
        while true {
            if buffer.count - filled < chunk {
                buffer.append(contentsOf: [UInt8](repeating: 0, count: chunk))
            }
            let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + filled, chunk) }
            if n < 0 {
                if errno == EINTR { continue }
                let why = String(cString: strerror(errno))
                throw PostsError(.io, "could not read '\(name)' after line \(lineNumber): \(why).")
            }
            let atEOF = n == 0
            filled += n
            var consumed = 0
            try buffer.withUnsafeBytes { raw in
                while consumed < filled {
                    let rest = UnsafeRawBufferPointer(rebasing: raw[consumed..<filled])
                    guard let found = memchr(rest.baseAddress! + scanned, 0x0A, rest.count - scanned) else {
                        scanned = rest.count
                        break
                    }
                    let nl = rest.baseAddress!.distance(to: UnsafeRawPointer(found))
                    scanned = 0
                    lineNumber += 1
                    if skipping {
                        skipping = false
                        try body(.tooLong(skippedSize + nl), lineNumber)
                        skippedSize = 0
                    } else if nl > maxLineBytes {
                        try body(.tooLong(nl), lineNumber)
                    } else {
                        var end = nl
                        if end > 0, rest[end - 1] == 0x0D { end -= 1 }
                        try body(.bytes(UnsafeRawBufferPointer(rebasing: rest[0..<end])), lineNumber)
                    }
                    consumed += nl + 1
                }
            }
            // Keep the unfinished tail; drop it if it is already past the limit.
            let tail = filled - consumed
            if skipping || tail > maxLineBytes {
                if !skipping { skipping = true }
                skippedSize += tail
                filled = 0
                scanned = 0
            } else if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!
                    base.copyMemory(from: base + consumed, byteCount: tail)
                }
                filled = tail
            }
            if atEOF {
                if skipping {
                    lineNumber += 1
                    try body(.tooLong(skippedSize), lineNumber)
                } else if filled > 0 {
                    lineNumber += 1
                    var end = filled
                    try buffer.withUnsafeBytes { raw in
                        if end > 0, raw[end - 1] == 0x0D { end -= 1 }
                        try body(.bytes(UnsafeRawBufferPointer(rebasing: raw[0..<end])), lineNumber)
                    }
                }
                return lineNumber
            }
            // Shrink back after a long line so memory does not stay high.
            if buffer.count > 4 * chunk, filled < chunk {
                buffer.removeLast(buffer.count - (chunk + 1024))
            }
        }
    }
}
