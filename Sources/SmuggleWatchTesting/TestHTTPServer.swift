public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `Tests/Support/test_http_server.py` on 127.0.0.1 with an ephemeral port for the life of
/// the object, serving `root` (default: Fixtures/http). It exits when this process ends.
public final class TestHTTPServer: @unchecked Sendable {
    let process = Process()
    public let port: Int
    let stdinPipe = Pipe()
    public var base: String { "http://127.0.0.1:\(port)" }

    public convenience init(root: String? = nil) throws {
        try self.init(script: "test_http_server.py", arguments: root.map { [$0] } ?? [])
    }

    /// Runs any `Tests/Support` script that prints `PORT <n>` first and exits when its standard
    /// input closes (`socks5_proxy.py` too).
    public init(script: String, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestSupport.path("Tests/Support/\(script)")] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdinPipe  // the server exits when this closes
        try process.run()
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

    public func url(_ path: String) -> URL { URL(string: base + path)! }

    /// Hits per path so far (`/_/stats`).
    public func hits() throws -> [String: Int] {
        let object = try json("/_/stats") as? [String: Any]
        return (object?["hits"] as? [String: Int]) ?? [:]
    }

    /// The POSTs so far (`/_/requests`): path, authorization, contentType and the parsed body.
    public func posts() throws -> [[String: Any]] {
        (try json("/_/requests") as? [[String: Any]]) ?? []
    }

    /// GETs one of the server's own JSON routes.
    func json(_ path: String) throws -> Any {
        // Foundation on Linux has no http client without FoundationNetworking; python3 is here anyway.
        let r = try TestSupport.run(
            "/usr/bin/env", ["python3", "-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())", base + path])
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    deinit {
        // Closing stdin ends the script on its own; SIGTERM alone can stay pending in a child that
        // inherited a blocked signal mask from the test runner.
        try? stdinPipe.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
public func closedLocalPort() -> Int {
    #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    close(fd)
    return Int(UInt16(bigEndian: addr.sin_port))
}
