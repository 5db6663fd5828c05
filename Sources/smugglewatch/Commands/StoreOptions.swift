import ArgumentParser
import Foundation
import ReviewQueue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--db` for every command that uses the review store.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The review store: a SQLite file path or postgres://user@host:port/db (default: $SMUGGLEWATCH_DB, else .smugglewatch/smugglewatch.sqlite).",
            valueName: "path-or-url"))
    var db: String?

    func open() async throws -> any ReviewQueueStore {
        try await ReviewQueueStores.open(db)
    }

    /// Opens the store, runs `body`, and closes the store whatever happens.
    func withStore<T>(_ body: (any ReviewQueueStore) async throws -> T) async throws -> T {
        let store = try await open()
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

/// `--reviewer`, else `SMUGGLEWATCH_REVIEWER`, else the OS user.
struct ReviewerOption: ParsableArguments {
    @Option(name: .long, help: "Who is reviewing (default: $SMUGGLEWATCH_REVIEWER, else the OS user).")
    var reviewer: String?

    var resolved: String {
        Self.resolve(reviewer, environment: ProcessInfo.processInfo.environment)
    }

    static func resolve(_ explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let value = environment["SMUGGLEWATCH_REVIEWER"], !value.isEmpty { return value }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "unknown"
    }
}

/// A duration written as `90s`, `15m`, `2h` or plain seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var value = text
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            value = String(text.dropLast(suffix.count))
            scale = factor
            break
        }
        guard let number = Double(value), number.isFinite, number > 0 else { return nil }
        duration = .milliseconds(Int64((number * scale * 1000).rounded()))
    }

    static var defaultValueDescription: String { "15m" }
}
