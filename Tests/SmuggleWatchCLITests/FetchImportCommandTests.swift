import Foundation
import Testing

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs the built `smugglewatch` (beside the test bundle) and returns stdout, stderr and the exit status.
private func run(_ arguments: [String]) throws -> (out: String, err: String, status: Int32) {
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let p = Process()
    p.executableURL = binDir.appendingPathComponent("smugglewatch")
    p.arguments = arguments
    p.currentDirectoryURL = root
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), p.terminationStatus)
}

@Suite struct FetchImportCommandTests {
    @Test func fetchPrintsFeedPostsAsJSONL() throws {
        let r = try run(["fetch", "Fixtures/http/feeds/youtube-channel.xml"])
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"{"id":"youtube:vid_demo01","platform":"youtube""#))
    }

    @Test func fetchWithExplicitKind() throws {
        let r = try run(["fetch", "Fixtures/http/api/tiktok-video-query.json", "--as", "tiktok"])
        #expect(r.status == 0)
        #expect(r.out.split(separator: "\n").count == 2)
    }

    @Test func importReadsYtDlpFoldersAndJSONL() throws {
        let r = try run(["import", "Fixtures/http/ytdlp", "Fixtures/http/api/posts.jsonl"])
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains(#""track":"en.auto""#))
        #expect(r.err.contains("Warning: malformedBlock"), "the broken caption file is reported")
    }

    @Test(arguments: [
        (["fetch", "missing.xml"], "Error: 'missing.xml' is neither an http(s) URL nor an existing file. Check the path.\n", Int32(1)),
        (["fetch", "Fixtures/http/hello.txt"], "Error: Cannot tell what kind of source 'Fixtures/http/hello.txt' is. Pass --as with one of: feed, html, telegram, ytdlp, tiktok, youtube-api, jsonl.\n", 1),
        (["import", "missing-dir"], "Error: 'missing-dir' does not exist. Check the path.\n", 1),
    ])
    func errorsNameTheInputAndSayWhatToDo(arguments: [String], stderr: String, status: Int32) throws {
        let r = try run(arguments)
        #expect(r.status == status)
        #expect(r.err == stderr)
        #expect(r.out.isEmpty)
    }

    @Test func unknownKindIsAUsageError() throws {
        let r = try run(["fetch", "x", "--as", "bogus"])
        #expect(r.status != 0 && r.status != 1)
        #expect(r.err.contains("Unknown kind 'bogus' for --as."))
    }
}
