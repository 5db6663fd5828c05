import ArgumentParser
import Fetchers
import Foundation
import Posts

extension SmuggleWatch {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn yt-dlp output folders or post JSONL into posts (printed as JSONL until the store exists).",
            discussion: """
            Each PATH is a folder (every *.info.json under it, with the caption files yt-dlp wrote beside it: \
            manual tracks as `es`, automatic ones as `es.auto`), a single *.info.json, or a *.jsonl of posts. \
            A broken file is reported on stderr and the import goes on; the exit status is then 1.
            """)

        @Argument(help: "yt-dlp folders, *.info.json files or post *.jsonl files.")
        var paths: [String]

        func validate() throws {
            if paths.isEmpty { throw ValidationError("Give at least one path.") }
        }

        func run() throws {
            var out = PostOutput()
            var failures = 0
            let reader = PostReader(warn: { printError($0.message, prefix: "Warning") })
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    printError("'\(path)' does not exist. Check the path.")
                    failures += 1
                    continue
                }
                if isDirectory.boolValue || path.hasSuffix(".info.json") {
                    let files = isDirectory.boolValue ? YtDlp.infoJSONFiles(under: path) : [path]
                    if files.isEmpty { printError("No *.info.json under '\(path)'. Run yt-dlp with --write-info-json.", prefix: "Warning") }
                    for f in files {
                        do {
                            out.write(try YtDlp.post(infoJSONPath: f) { printError("\($0)", prefix: "Warning") })
                        } catch {
                            printError(error.message)
                            failures += 1
                        }
                    }
                } else {
                    do {
                        try reader.forEachPost(in: path) { out.write($0) }
                    } catch {
                        printError("\(error)")
                        failures += 1
                    }
                }
            }
            out.flush()
            if failures > 0 { throw ExitCode.failure }
        }
    }
}
