import Foundation

/// Locates ../shared/external relative to the package root (derived from this file's path).
enum External {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Support
        .deletingLastPathComponent()   // CaptionsTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // package root
        .appendingPathComponent("../shared/external").standardizedFileURL

    static func isAvailable(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(folder).path)
    }

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: url(path))) }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(path)), options: [.fragmentsAllowed])
    }
}

/// Counts passed and failed assertions and prints a rate line.
struct Tally {
    var passed = 0
    var failed = 0
    var failures: [String] = []

    mutating func check(_ ok: Bool, _ what: @autoclosure () -> String) {
        if ok { passed += 1 } else { failed += 1; if failures.count < 40 { failures.append(what()) } }
    }

    var total: Int { passed + failed }
    var rate: Double { total == 0 ? 0 : Double(passed) / Double(total) }

    func report(_ name: String) {
        print(String(format: "[conformance] %@: %d/%d = %.1f%%", name, passed, total, rate * 100))
        for f in failures.prefix(25) { print("  ✗ \(f)") }
    }
}

/// Fixtures in the package: Fixtures/captions.
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/captions")

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: root.appendingPathComponent(name))) }
}
