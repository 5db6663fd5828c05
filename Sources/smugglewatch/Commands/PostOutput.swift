import Foundation
import Posts

/// Writes posts to standard output as JSONL, buffered.
struct PostOutput {
    private var writer = JSONWriter()
    private(set) var count = 0

    mutating func write(_ post: Post) {
        post.write(to: &writer)
        writer.newline()
        count += 1
        if writer.bytes.count >= 64 << 10 { flush() }
    }

    mutating func flush() {
        guard !writer.bytes.isEmpty else { return }
        FileHandle.standardOutput.write(Data(writer.bytes))
        writer.reset()
    }
}

/// Prints `Error: …` (or a warning) on standard error.
func printError(_ message: String, prefix: String = "Error") {
    FileHandle.standardError.write(Data("\(prefix): \(message)\n".utf8))
}
