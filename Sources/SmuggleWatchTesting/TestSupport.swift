public import Foundation

/// Paths, temporary folders and process helpers shared by the test targets.
public enum TestSupport {
    /// The package root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func path(_ relative: String) -> String {
        packageRoot.appendingPathComponent(relative).path
    }

    /// `../shared/external/<name>` beside the repository, or nil when it is absent.
    public static func sharedExternal(_ name: String) -> String? {
        let p = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/external/\(name)").path
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    /// A new empty folder under the system's temporary folder.
    public static func temporaryDirectory(_ prefix: String = "smugglewatch-test") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Writes bytes to a new file in a new temporary folder and returns its path.
    public static func temporaryFile(_ name: String = "posts.jsonl", contents: [UInt8]) throws -> String {
        let dir = try temporaryDirectory()
        let path = (dir as NSString).appendingPathComponent(name)
        try Data(contents).write(to: URL(fileURLWithPath: path))
        return path
    }

    public static func temporaryFile(_ name: String = "posts.jsonl", text: String) throws -> String {
        let path = (try temporaryDirectory() as NSString).appendingPathComponent(name)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// The built `smugglewatch` executable beside the test bundle.
    public static var executable: String {
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("smugglewatch").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/smugglewatch").path
    }

    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a program to completion, feeding `stdin`, and collects its output.
    /// A model registry folder of this test process's own (empty: seeded from Models/default on first use).
    public static let isolatedModelsDirectory: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smugglewatch-test-models-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }()

    public static func run(
        _ program: String, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil,
        directory: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        // The CLI's default model comes from the model registry (.smugglewatch/models under the
        // working directory); a developer's own promotions there must not change test results.
        var env = ProcessInfo.processInfo.environment
        if env["SMUGGLEWATCH_MODELS"] == nil { env["SMUGGLEWATCH_MODELS"] = isolatedModelsDirectory }
        process.environment = env.merging(environment ?? [:]) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        // Read both pipes on their own threads so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data()
        nonisolated(unsafe) var err = Data()
        group.enter()
        DispatchQueue.global().async {
            out = outPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            err = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs the `smugglewatch` executable.
    public static func smugglewatch(_ arguments: [String], stdin: String? = nil, directory: String? = nil) throws -> ProcessResult {
        try run(executable, arguments, stdin: stdin, directory: directory ?? packageRoot.path)
    }

    /// The python with scikit-learn that Scripts/test.sh prepares, if any.
    public static var sklearnPython: String? {
        if let p = ProcessInfo.processInfo.environment["SMUGGLEWATCH_SKLEARN_PYTHON"], FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        let venv = packageRoot.appendingPathComponent(".venv-sklearn/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }
}

/// A seeded random number generator (SplitMix64), so shuffles and splits in tests repeat.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
