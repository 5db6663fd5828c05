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

    init(root: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["python3", packageRoot.appendingPathComponent("Tests/Support/test_http_server.py").path]
        if let root { args.append(root) }
        process.arguments = args
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
        process.terminate()
        process.waitUntilExit()
    }
}
