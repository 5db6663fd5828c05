import Foundation
import ReviewQueue
import Testing

/// `smugglewatch label` and `smugglewatch queue …` end to end: the built executable, a real
/// SQLite file, stdout/stderr and exit codes (STYLE.md H7).
@Suite("label and queue commands")
struct StoreCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    let posts = fixtures.appendingPathComponent("queue-posts.jsonl").path

    func cli(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        let executable = try #require(smugglewatchExecutable(), "build the CLI first: swift build --product smugglewatch")
        return try await run(executable, arguments, environment: environment)
    }

    @Test("queue add, label, list, stats and export on SQLite")
    func workflow() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("q.sqlite").path

        var r = try await cli(["queue", "add", posts, "--db", db, "--score", "0.9", "--flags", "guidance,contact", "--model", "default@1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "Stored 4 posts, queued 4.\n")

        r = try await cli(["queue", "claim", "--count", "2", "--reviewer", "alice"], environment: ["SMUGGLEWATCH_DB": db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 2)

        r = try await cli(["label", "test:contact-1", "--set", "contact", "--note", "price + phone", "--db", db], environment: ["SMUGGLEWATCH_REVIEWER": "bob"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Labelled test:contact-1 as contact (label 1, reviewer bob)."))
        r = try await cli(["label", "test:contact-2", "--set", "contact,guidance", "--reviewer", "carol", "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await cli(["label", "test:news-1", "--benign", "--reviewer", "carol", "--db", db])
        #expect(r.stdout == "Labelled test:news-1 as benign (label 3, reviewer carol).\n")

        r = try await cli(["label", "test:benign-1", "--benign", "--db", db])
        #expect(r.stdout.hasSuffix("reviewer \(ProcessInfo.processInfo.userName)).\n"), "the OS user by default: \(r.stdout)")

        r = try await cli(["queue", "stats", "--json", "--db", db])
        #expect(
            r.stdout == #"{"posts":4,"predictions":4,"pending":0,"claimed":0,"expired":0,"decided":4,"labels":4,"labelledPosts":4,"benign":2,"seenIDs":0,"sources":0,"flags":{"contact":2,"guidance":1}}"# + "\n")

        r = try await cli(["queue", "list", "--state", "all", "--json", "--db", db])
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.filter { $0.contains(#""state":"decided""#) }.count == 4)

        // Export redacts contact identifiers unless asked.
        let out = folder.appendingPathComponent("labelled.jsonl").path
        r = try await cli(["queue", "export", "--out", out, "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "Exported 4 labelled posts to '\(out)' (contacts redacted).\n")
        let exported = try String(contentsOfFile: out, encoding: .utf8)
        #expect(exported.split(separator: "\n").count == 4)
        for secret in ["5555550142", "555 555 0142", "snake_demo88", "@cruce_demo", "t.me/cruce_demo", "viajes_demo", "555-555-0100"] {
            #expect(!exported.contains(secret), "export leaks \(secret)")
        }
        #expect(exported.contains(#""labels":["contact","guidance"]"#))
        #expect(exported.contains(#""labels":[]"#))
        #expect(exported.contains("[redacted:wechat]"))

        r = try await cli(["queue", "export", "--include-contacts", "--db", db])
        #expect(r.stdout.contains("wa.me/5215555550142") && r.stdout.contains("viajes_demo"))
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let status: Int32
        let stderrPrefix: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let errorCases: [ErrorCase] = [
        .init(arguments: ["label", "youtube:nope", "--set", "guidance"], status: 1,
              stderrPrefix: "Error: No post with id 'youtube:nope' in the store. Add the post first"),
        .init(arguments: ["label", "test:news-1", "--set", "guidnace"], status: 1,
              stderrPrefix: "Error: Unknown flag 'guidnace': the models in this store know only contact, guidance. Did you mean 'guidance'?"),
        .init(arguments: ["label", "test:news-1"], status: 2,
              stderrPrefix: "Error: Pass --set FLAGS (e.g. --set guidance,contact) or --benign."),
        .init(arguments: ["label", "test:news-1", "--set", "contact", "--benign"], status: 2,
              stderrPrefix: "Error: Pass either --set or --benign, not both."),
        .init(arguments: ["queue", "release", "999"], status: 1, stderrPrefix: "Error: No queue item 999 in"),
    ]

    @Test("errors name the id or flag and exit 1, usage errors exit 2", arguments: errorCases)
    func errors(_ c: ErrorCase) async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("q.sqlite").path
        let setup = try await cli(["queue", "add", posts, "--db", db, "--flags", "guidance,contact"])
        try #require(setup.status == 0, "\(setup.stderr)")
        let r = try await cli(c.arguments + ["--db", db, "--reviewer", "alice"])
        #expect(r.status == c.status)
        #expect(r.stderr.hasPrefix(c.stderrPrefix), "stderr was: \(r.stderr)")
    }

    @Test("a corrupt database file is named in the error, exit 1")
    func corruptDatabase() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("bad.sqlite").path
        try Data("this is not sqlite".utf8 + [UInt8](repeating: 0, count: 4096)).write(to: URL(fileURLWithPath: db))
        let r = try await cli(["queue", "stats", "--db", db])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("Error: The database '\(db)' is corrupt or not a SQLite file"))
    }

    @Test("claim exits 3 when nothing is claimable")
    func emptyQueue() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await cli(["queue", "claim", "--db", folder.appendingPathComponent("e.sqlite").path, "--reviewer", "a"])
        #expect(r.status == 3)
        #expect(r.stderr == "Nothing to claim: the queue is empty or every item is leased.\n")
    }
}
