import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// `smugglewatch review` end to end: the real executable in a real terminal (a tmux pane), keys
/// sent with `tmux send-keys`, the screen read with `tmux capture-pane`, the labels read back
/// from the SQLite store.
@Suite("smugglewatch review in tmux", .serialized)
struct ReviewTmuxTests {
    static let tmux: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/tmux") {
            return "\(dir)/tmux"
        }
        print("◇ smugglewatch review tmux test skipped: tmux is not installed (Scripts/install-system-packages.sh installs it).")
        return nil
    }()

    /// A few demo posts, imported and queued like a crawl would.
    static func seededStore() throws -> (db: String, dir: String) {
        let dir = try TestSupport.temporaryDirectory("smugglewatch-review")
        let wanted = ["demo:zh-0074", "demo:zh-0206", "demo:en-0078", "demo:en-0105", "demo:es-0292", "demo:en-0002"]
        let demo = try String(contentsOfFile: TestSupport.path("Fixtures/demo/posts.jsonl"), encoding: .utf8)
        let lines = demo.split(separator: "\n").filter { line in wanted.contains { line.contains("\"id\":\"\($0)\"") } }
        let posts = dir + "/posts.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: posts, atomically: true, encoding: .utf8)
        let db = dir + "/store.sqlite"
        let imported = try TestSupport.smugglewatch(["import", "--queue", "--clear-sample", "0", "--db", db, posts])
        #expect(imported.status == 0, "\(imported.stderr)")
        return (db, dir)
    }

    struct Pane {
        let tmux: String
        let socket: String

        @discardableResult
        func run(_ arguments: [String]) throws -> TestSupport.ProcessResult {
            try TestSupport.run(tmux, ["-S", socket] + arguments)
        }

        /// Starts the tmux server with the session, through posix_spawn with an empty signal
        /// mask and default signal handlers (the test process blocks SIGCHLD and others, and a
        /// tmux server that inherits that never answers its clients), and /dev/null as its
        /// standard streams (the server would hold the test's pipes open).
        func start(_ command: String, columns: Int, rows: Int) throws {
            let argv = [tmux, "-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "review", "-x", "\(columns)", "-y", "\(rows)", command]
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            var all = sigset_t()
            sigemptyset(&all)
            for sig in 1..<32 where sig != SIGKILL && sig != SIGSTOP { sigaddset(&all, Int32(sig)) }
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
            var cArgs = argv.map { strdup($0) } + [nil]
            defer { for p in cArgs { free(p) } }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, tmux, &actions, &attributes, &cArgs, environ)
            try #require(rc == 0, "posix_spawn tmux failed: \(rc)")
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            #expect(status == 0, "tmux new-session exited with status \(status)")
        }

        func screen(escapes: Bool = false) throws -> String {
            try run(["capture-pane", "-p", "-J"] + (escapes ? ["-e"] : []) + ["-t", "review"]).stdout
        }

        /// Polls the screen until `predicate` holds (20 s at most).
        func waitFor(_ what: String, _ predicate: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(20)
            var last = ""
            while Date() < deadline {
                last = try screen()
                if predicate(last) { return last }
                Thread.sleep(forTimeInterval: 0.1)
            }
            Issue.record("timed out waiting for \(what); the screen was:\n\(last)")
            return last
        }

        func send(_ keys: String...) throws { try run(["send-keys", "-t", "review"] + keys) }
    }

    static func postID(after marker: String, in screen: String) -> String? {
        guard let r = screen.range(of: marker) else { return nil }
        let rest = screen[r.upperBound...]
        guard let id = rest.split(whereSeparator: { $0 == " " || $0 == "\n" }).first else { return nil }
        return String(id)
    }

    /// The post id on the card's first body line.
    static func shownPost(_ screen: String) -> String? {
        screen.split(separator: "\n").dropFirst().first { $0.hasPrefix("demo:") }.flatMap { $0.split(separator: " ").first.map(String.init) }
    }

    @Test("decide, skip, note and undo from the keyboard; the store has the labels")
    func reviewInTmux() async throws {
        guard let tmux = Self.tmux else { return }
        let (db, dir) = try Self.seededStore()
        let pane = Pane(tmux: tmux, socket: dir + "/tmux.sock")
        let command = "env -u NO_COLOR TERM=xterm-256color SMUGGLEWATCH_REVIEWER=tmux-tester '\(TestSupport.executable)' review --db '\(db)'; echo EXIT=$?; sleep 120"
        try pane.start(command, columns: 100, rows: 50)
        defer { _ = try? pane.run(["kill-server"]) }

        // The first item: its post, highlighted evidence, scores and the key line.
        var screen = try pane.waitFor("the first card") { $0.contains("SmuggleWatch review") && $0.contains("Scores (") }
        let first = try #require(Self.shownPost(screen), "no post on screen:\n\(screen)")
        #expect(screen.contains("g guidance c contact b both n benign s skip u undo a note ? help q quit"))
        #expect(screen.contains("Evidence"))
        #expect(screen.contains("Other posts sharing a contact identifier"))
        let colored = try pane.screen(escapes: true)
        #expect(colored.contains("43m") || colored.contains("42m"), "a contact or price is highlighted:\n\(colored)")

        // c: contact.
        try pane.send("c")
        screen = try pane.waitFor("the save message") { $0.contains("Saved \(first) as contact") }
        let second = try #require(Self.shownPost(screen))
        #expect(second != first)

        // s: skip.
        try pane.send("s")
        screen = try pane.waitFor("the skip message") { $0.contains("Skipped \(second)") }
        let third = try #require(Self.shownPost(screen))
        #expect(third != second && third != first)

        // a: a note; n: benign with it.
        try pane.send("a")
        _ = try pane.waitFor("the note prompt") { $0.contains("Note: ") }
        try pane.send("-l", "seen in tmux")
        try pane.send("Enter")
        _ = try pane.waitFor("the kept note") { $0.contains("Note kept for the next decision") }
        try pane.send("n")
        _ = try pane.waitFor("the benign save") { $0.contains("Saved \(third) as benign with a note") }

        // u: undo brings the third post back, unlabelled.
        try pane.send("u")
        screen = try pane.waitFor("the undo message") { $0.contains("Undid label") }
        #expect(Self.shownPost(screen) == third)
        #expect(screen.contains("it is unlabelled"))

        // q: quit, the summary on the main screen, exit status 0.
        try pane.send("q")
        screen = try pane.waitFor("the exit") { $0.contains("EXIT=") }
        #expect(screen.contains("Reviewed 1 item, skipped 1, undid 1 (reviewer tmux-tester)."))
        #expect(screen.contains("EXIT=0"))

        let store = try SQLiteReviewQueueStore(path: db)
        defer { Task { await store.close() } }
        let decided = try #require(try await store.currentLabel(for: first))
        #expect(decided.flags == ["contact"] && decided.reviewer == "tmux-tester")
        #expect(try await store.labels(for: second).isEmpty)
        #expect(try await store.labels(for: third).isEmpty, "the benign label was undone")
        let audit = try await store.auditLog(postID: third, limit: 10)
        let added = try #require(audit.first { $0.action == "label.add" })
        #expect(added.detailJSON.contains("\"note\":\"seen in tmux\""))
        #expect(audit.contains { $0.action == "label.undo" && $0.actor == "tmux-tester" })
        // Quitting gave the undone item back; the skipped one was given back at once.
        let pending = Set(try await store.items(in: "pending", limit: 50).map(\.postID))
        #expect(pending.isSuperset(of: [second, third]))
        #expect(try await store.items(in: "claimed", limit: 50).isEmpty)
    }

    @Test("without a terminal, review refuses and points at label")
    func refusesWithoutTerminal() throws {
        let dir = try TestSupport.temporaryDirectory("smugglewatch-review")
        let result = try TestSupport.smugglewatch(["review", "--db", dir + "/store.sqlite"], stdin: "c\n")
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: `smugglewatch review` is interactive and needs a terminal"))
        #expect(result.stderr.contains("smugglewatch label ID --set guidance,contact | --benign"))
    }
}
