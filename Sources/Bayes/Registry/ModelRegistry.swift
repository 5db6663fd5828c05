#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// A model version, `name@number` (`default@3`): what predictions record.
public struct ModelVersion: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var name: String
    public var number: Int

    public init(name: String, number: Int) {
        self.name = name
        self.number = number
    }

    /// Parses `name@N`; nil for anything else.
    public init?(_ text: String) {
        guard let at = text.lastIndex(of: "@"), let n = Int(text[text.index(after: at)...]), n >= 1 else { return nil }
        let name = String(text[..<at])
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { return nil }
        self.init(name: name, number: n)
    }

    public var description: String { "\(name)@\(number)" }

    public static func < (a: ModelVersion, b: ModelVersion) -> Bool { (a.name, a.number) < (b.name, b.number) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let v = ModelVersion(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not name@N"))
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The model registry: a folder of model versions, one folder each (`default@1/`, `default@2/`,
/// … with `model.swnb`, `card.json` and, for retrained versions, `training.json`), the current
/// version and the promotion stack in `current.json` (replaced atomically: written to a temporary
/// file, then renamed), and an append-only `history.jsonl` of every change.
///
/// ```swift
/// let registry = ModelRegistry(root: ModelRegistry.resolve(nil))
/// try registry.seedIfEmpty(from: "Models/default", actor: "alice")
/// let v = try registry.save(model, card: card, manifest: plan.manifest)   // default@2, not current yet
/// try registry.promote(v, actor: "alice", note: "retrain gates passed")
/// try registry.rollback(actor: "alice")                                    // default@1 again
/// ```
///
/// Changes take an exclusive `flock` on `.lock`, so concurrent commands do not interleave.
public struct ModelRegistry: Sendable {
    public static let environmentVariable = "SMUGGLEWATCH_MODELS"
    public static let defaultPath = ".smugglewatch/models"
    public static let stateFileName = "current.json"
    public static let historyFileName = "history.jsonl"

    /// `--models-dir`, else `SMUGGLEWATCH_MODELS`, else ``defaultPath``.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let v = environment[environmentVariable], !v.isEmpty { return v }
        return defaultPath
    }

    /// The current version and the versions promoted before it (the last element is current).
    public struct State: Codable, Sendable, Equatable {
        public var current: ModelVersion?
        /// Promotions, oldest first; `rollback` pops the last one.
        public var stack: [ModelVersion]

        public init(current: ModelVersion? = nil, stack: [ModelVersion] = []) {
            self.current = current
            self.stack = stack
        }
    }

    /// One line of `history.jsonl`.
    public struct Event: Codable, Sendable {
        public var at: Date
        /// `seed`, `save`, `promote`, `rollback`.
        public var action: String
        public var version: ModelVersion
        /// The version that was current before (promote, rollback).
        public var previous: ModelVersion?
        public var actor: String
        public var note: String?
    }

    public let root: String

    public init(root: String) { self.root = root }

    public func folder(for version: ModelVersion) -> String {
        (root as NSString).appendingPathComponent(version.description)
    }

    var statePath: String { (root as NSString).appendingPathComponent(Self.stateFileName) }
    var historyPath: String { (root as NSString).appendingPathComponent(Self.historyFileName) }

    // MARK: Reading

    /// Every stored version (folders named `name@N` holding a model file), sorted.
    public func versions() throws -> [ModelVersion] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        return entries.compactMap { name -> ModelVersion? in
            guard let v = ModelVersion(name) else { return nil }
            let model = (folder(for: v) as NSString).appendingPathComponent(ModelFile.modelFileName)
            return FileManager.default.fileExists(atPath: model) ? v : nil
        }.sorted()
    }

    /// The current version and promotion stack; empty when the registry has none yet.
    ///
    /// - Throws: ``RegistryError`` naming `current.json` when it is damaged.
    public func state() throws(RegistryError) -> State {
        guard let data = FileManager.default.contents(atPath: statePath) else { return State() }
        do {
            return try JSONDecoder().decode(State.self, from: data)
        } catch {
            throw RegistryError(
                "the registry pointer '\(statePath)' is damaged (\(error)). Restore it, or write {\"current\":\"default@1\",\"stack\":[\"default@1\"]} naming a version under \(root).")
        }
    }

    /// The current version's folder, or nil when the registry has no current version.
    public func currentFolder() throws(RegistryError) -> String? {
        guard let v = try state().current else { return nil }
        let f = folder(for: v)
        guard FileManager.default.fileExists(atPath: (f as NSString).appendingPathComponent(ModelFile.modelFileName)) else {
            throw RegistryError("the registry's current version \(v) has no model file in '\(f)'. Run 'smugglewatch models rollback' or 'models promote NAME@N'.")
        }
        return f
    }

    public func card(for version: ModelVersion) -> ModelCard? {
        try? ModelCard.read((folder(for: version) as NSString).appendingPathComponent(ModelFile.cardFileName))
    }

    /// What a version learned: its `training.json`, or nil when it has none (a seeded model).
    public func manifest(for version: ModelVersion) throws -> TrainingManifest? {
        let path = (folder(for: version) as NSString).appendingPathComponent(TrainingManifest.fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try TrainingManifest.read(path)
    }

    public func history() throws -> [Event] {
        guard let data = FileManager.default.contents(atPath: historyPath) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try data.split(separator: 0x0A).map { try decoder.decode(Event.self, from: Data($0)) }
    }

    // MARK: Changing

    /// Copies a model folder in as `name@1` and makes it current, when the registry has no
    /// versions yet. Returns the seeded version, or nil when there was nothing to do (or no model
    /// at `bundled`).
    @discardableResult
    public func seedIfEmpty(from bundled: String, actor: String) throws -> ModelVersion? {
        let model = (bundled as NSString).appendingPathComponent(ModelFile.modelFileName)
        guard FileManager.default.fileExists(atPath: model) else { return nil }
        return try withLock { () throws -> ModelVersion? in
            guard try versions().isEmpty, try state().current == nil else { return nil }
            var card = try ModelCard.read((bundled as NSString).appendingPathComponent(ModelFile.cardFileName))
            card.version = 1
            let v = ModelVersion(name: card.name, number: 1)
            try install(v) { dir in
                try FileManager.default.copyItem(atPath: model, toPath: (dir as NSString).appendingPathComponent(ModelFile.modelFileName))
                try card.write(to: (dir as NSString).appendingPathComponent(ModelFile.cardFileName))
            }
            try writeState(State(current: v, stack: [v]))
            try append(Event(at: Date(), action: "seed", version: v, previous: nil, actor: actor, note: "copied from \(bundled)"))
            return v
        }
    }

    /// Stores a model as the next version of `card.name` (`card.version` is set to it). The new
    /// version is not current until promoted.
    public func save(_ model: NaiveBayesModel, card: ModelCard, manifest: TrainingManifest?, actor: String, note: String? = nil) throws
        -> ModelVersion
    {
        try withLock {
            let next = (try versions().filter { $0.name == card.name }.map(\.number).max() ?? 0) + 1
            let v = ModelVersion(name: card.name, number: next)
            var card = card
            card.version = next
            try install(v) { dir in
                try ModelFile.write(model, to: (dir as NSString).appendingPathComponent(ModelFile.modelFileName))
                try card.write(to: (dir as NSString).appendingPathComponent(ModelFile.cardFileName))
                try manifest?.write(to: (dir as NSString).appendingPathComponent(TrainingManifest.fileName))
            }
            try append(Event(at: Date(), action: "save", version: v, previous: nil, actor: actor, note: note))
            return v
        }
    }

    /// Makes `version` current and pushes it on the promotion stack. Returns the version that
    /// was current before.
    @discardableResult
    public func promote(_ version: ModelVersion, actor: String, note: String? = nil) throws -> ModelVersion? {
        try withLock {
            let all = try versions()
            guard all.contains(version) else {
                throw RegistryError(
                    "no model version \(version) in '\(root)' (versions: \(all.map(\.description).joined(separator: ", "))). See 'smugglewatch models list'.")
            }
            var s = try state()
            let previous = s.current
            s.current = version
            s.stack.append(version)
            try writeState(s)
            try append(Event(at: Date(), action: "promote", version: version, previous: previous, actor: actor, note: note))
            return previous
        }
    }

    /// Makes the version promoted before the current one current again (pops the promotion
    /// stack). Returns (rolled back from, now current).
    @discardableResult
    public func rollback(actor: String, note: String? = nil) throws -> (from: ModelVersion, to: ModelVersion) {
        try withLock {
            var s = try state()
            guard let from = s.current else {
                throw RegistryError("the registry '\(root)' has no current model to roll back from.")
            }
            if s.stack.last == from { s.stack.removeLast() }
            guard let to = s.stack.last else {
                throw RegistryError(
                    "nothing to roll back to: \(from) is the first promoted version in '\(root)'. Promote another with 'smugglewatch models promote NAME@N'.")
            }
            guard try versions().contains(to) else {
                throw RegistryError("cannot roll back to \(to): its folder '\(folder(for: to))' is missing.")
            }
            s.current = to
            try writeState(s)
            try append(Event(at: Date(), action: "rollback", version: to, previous: from, actor: actor, note: note))
            return (from, to)
        }
    }

    // MARK: Files

    /// Fills a temporary folder, then renames it to the version's folder.
    func install(_ version: ModelVersion, _ fill: (String) throws -> Void) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let tmp = (root as NSString).appendingPathComponent(".incoming-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
        do {
            try fill(tmp)
            guard rename(tmp, folder(for: version)) == 0 else {
                throw RegistryError("could not move the new model into '\(folder(for: version))': \(String(cString: strerror(errno))).")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// Writes `current.json` to a temporary file, flushes it, and renames it over the old one.
    func writeState(_ s: State) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var bytes = Array(try encoder.encode(s))
        bytes.append(0x0A)
        let tmp = statePath + ".tmp-\(getpid())"
        try writeDurably(bytes, to: tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        guard rename(tmp, statePath) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw RegistryError("could not replace '\(statePath)': \(why).")
        }
    }

    func append(_ event: Event) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var bytes = Array(try encoder.encode(event))
        bytes.append(0x0A)
        try writeDurably(bytes, to: historyPath, flags: O_WRONLY | O_CREAT | O_APPEND)
    }

    func writeDurably(_ bytes: [UInt8], to path: String, flags: Int32) throws(RegistryError) {
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw RegistryError("could not open '\(path)' for writing: \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw RegistryError("could not write '\(path)': \(String(cString: strerror(errno))).") }
            done += n
        }
        guard fsync(fd) == 0 else { throw RegistryError("could not flush '\(path)': \(String(cString: strerror(errno))).") }
    }

    /// Runs `body` holding an exclusive lock on the registry.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw RegistryError("could not create the model registry '\(root)': \(error.localizedDescription). Pass --models-dir.")
        }
        let lockPath = (root as NSString).appendingPathComponent(".lock")
        let fd = open(lockPath, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw RegistryError("could not open '\(lockPath)': \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw RegistryError("could not lock '\(lockPath)': \(String(cString: strerror(errno))).") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

/// A registry problem; the message names the file or version and says what to do.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
