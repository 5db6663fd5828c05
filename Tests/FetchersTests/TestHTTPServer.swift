import Foundation

/// The package root, derived from this file's path.
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Third-party conformance material, beside the checkout (`../shared/external`), or nil when absent.
let externalRoot: URL? = {
    let u = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/external")
    return FileManager.default.fileExists(atPath: u.path) ? u : nil
}()

/// Runs `Tests/Support/test_http_server.py` on 127.0.0.1 with an ephemeral port for the life of the object.
final class TestHTTPServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let stdinPipe = Pipe()
    var base: String { "http://127.0.0.1:\(port)" }

    convenience init(root: String? = nil) throws {
        try self.init(script: "test_http_server.py", arguments: root.map { [$0] } ?? [])
    }

    /// Runs any `Tests/Support` script that prints `PORT <n>` first and exits when stdin closes
    /// (`socks5_proxy.py` too).
    init(script: String, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("Tests/Support/\(script)").path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdinPipe  // the server exits when this closes
        try process.run()
        // First line: "PORT <n>".
        var line: [UInt8] = []
        let handle = out.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte.first == 0x0A { break }
            line.append(byte.first!)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let p = Int(text.dropFirst(5)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "test server did not print its port: \(text)"])
        }
        port = p
    }

    func url(_ path: String) -> URL { URL(string: base + path)! }

    deinit {
        // Closing stdin ends the script on its own; SIGTERM alone can stay pending in a child that
        // inherited a blocked signal mask from the test runner.
        try? stdinPipe.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}
