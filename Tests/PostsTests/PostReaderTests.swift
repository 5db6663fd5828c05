import Foundation
import Posts
import SmuggleWatchTesting
import Testing

/// Reads every post of a file, returning the posts and the warnings.
private func readAll(_ path: String, strict: Bool = false, maxLineBytes: Int = 4 << 20) throws -> ([Post], [PostsError], PostReader.Summary) {
    final class Box: @unchecked Sendable { var warnings: [PostsError] = [] }
    let box = Box()
    let reader = PostReader(options: .init(strict: strict, maxLineBytes: maxLineBytes)) { box.warnings.append($0) }
    var posts: [Post] = []
    let summary = try reader.forEachPost(in: path) { posts.append($0) }
    return (posts, box.warnings, summary)
}

@Suite("Reading post JSONL")
struct PostReaderTests {
    @Test("a full post reads with every field, unknown keys skipped")
    func fullPost() throws {
        let line = #"""
            {"id":"youtube:abc","platform":"youtube","url":"https://example.com/v","author":{"id":"u1","handle":"h_demo","name":"Ana","extra":[1,{"x":null}]},"published":"2024-03-01T12:00:00Z","fetched":"2026-11-29T12:00:00Z","language":"es","title":"Título \"uno\"","description":"línea\nsegunda \u00e9 \ud83d\ude00","hashtags":["ruta","viaje"],"captions":[{"start":0.0,"end":2.5,"text":"hola","track":"es.auto"},{"start":2.5,"end":4e0,"text":"adiós"}],"labels":["guidance"],"tags":["guidance"],"views":12345,"nested":{"a":[true,false,null]}}
            """#
        let path = try TestSupport.temporaryFile(text: line + "\n")
        let (posts, warnings, summary) = try readAll(path)
        #expect(warnings.isEmpty)
        #expect(summary.posts == 1)
        let p = try #require(posts.first)
        #expect(p.id == "youtube:abc")
        #expect(p.author == Author(id: "u1", handle: "h_demo", name: "Ana"))
        #expect(p.title == "Título \"uno\"")
        #expect(p.description == "línea\nsegunda é 😀")
        #expect(p.hashtags == ["ruta", "viaje"])
        #expect(p.captions == [Cue(start: 0, end: 2.5, text: "hola", track: "es.auto"), Cue(start: 2.5, end: 4, text: "adiós")])
        #expect(p.labels == ["guidance"])
        #expect(p.tags == ["guidance"])
    }

    @Test("writing and reading a post gives the same post")
    func roundTrip() throws {
        let post = Post(
            id: "x:1", platform: "x", author: Author(handle: "a_demo"), title: "tab\there \"q\" \\ \u{1}",
            description: "多语言 ✓", hashtags: ["a"], captions: [Cue(start: 1.25, end: 3, text: "c", track: "en")],
            labels: [], tags: ["benign"])
        let path = try TestSupport.temporaryFile(text: post.jsonLine + "\n" + post.jsonLine)
        let (posts, _, _) = try readAll(path)
        #expect(posts == [post, post])
        // Foundation's decoder agrees with the hand-written reader.
        let decoded = try JSONDecoder().decode(Post.self, from: Data(post.jsonLine.utf8))
        #expect(decoded == post)
    }

    @Test("a bad line is skipped with a warning naming file, line and field; the rest is read", arguments: [
        (#"{"id":"a:1","title":"ok"}"#, nil as String?),
        (#"not json"#, "expected a JSON object"),
        (#"{"id":"a:2","captions":"oops"}"#, "expected 'captions' to be an array, found a string"),
        (#"{"id":"a:3","captions":[{"start":"0","text":"x"}]}"#, "expected 'captions[0].start' to be a number of seconds, found a string"),
        (#"{"id":"a:4","hashtags":[1]}"#, "expected 'hashtags[0]' to be a string, found a number"),
        (#"{"id":5,"title":"x"}"#, "expected 'id' to be a string, found a number"),
        (#"{"title":"no id"}"#, "missing required field 'id'"),
        (#"{"id":"a:6"}"#, "has no text"),
        (#"{"id":"a:7","title":"x""#, "expected ',' or '}'"),
        (#"{"id":"a:8","title":"x"} trailing"#, "unexpected text after the object"),
    ])
    func badLines(line: String, message: String?) throws {
        let path = try TestSupport.temporaryFile(text: #"{"id":"first:1","title":"t"}"# + "\n" + line + "\n" + #"{"id":"last:1","title":"t"}"# + "\n")
        let (posts, warnings, summary) = try readAll(path)
        if let message {
            #expect(posts.map(\.id) == ["first:1", "last:1"])
            #expect(summary.skipped == 1)
            let w = try #require(warnings.first)
            #expect(w.line == 2)
            #expect(w.file == path)
            #expect(w.message.contains("line 2 of \(path)"))
            #expect(w.message.contains(message), "\(w.message)")
        } else {
            #expect(posts.count == 3)
            #expect(warnings.isEmpty)
        }
    }

    @Test("strict mode stops at the first bad line")
    func strict() throws {
        let path = try TestSupport.temporaryFile(text: "{\"id\":\"a:1\",\"title\":\"t\"}\n[1,2]\n{\"id\":\"a:2\",\"title\":\"t\"}\n")
        #expect {
            _ = try readAll(path, strict: true)
        } throws: { error in
            let e = error as? PostsError
            return e?.code == .malformedJSON && e?.line == 2
        }
    }

    @Test("invalid UTF-8 is refused with the line number, not repaired")
    func invalidUTF8() throws {
        var bytes = Array(#"{"id":"a:1","title":"ok"}"#.utf8) + [0x0A]
        bytes += Array(#"{"id":"a:2","title":"bad "#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8) + [0x0A]
        let path = try TestSupport.temporaryFile(contents: bytes)
        let (posts, warnings, _) = try readAll(path)
        #expect(posts.map(\.id) == ["a:1"])
        #expect(warnings.first?.code == .invalidUTF8)
        #expect(warnings.first?.line == 2)
    }

    @Test("an empty file is an error that names it; blank lines are ignored")
    func emptyInput() throws {
        let empty = try TestSupport.temporaryFile(text: "")
        #expect {
            _ = try readAll(empty)
        } throws: { error in
            (error as? PostsError)?.code == .emptyInput && "\(error)".contains(empty)
        }
        let blanks = try TestSupport.temporaryFile(text: "\n  \n{\"id\":\"a:1\",\"title\":\"t\"}\r\n\n")
        let (posts, warnings, summary) = try readAll(blanks)
        #expect(posts.count == 1 && warnings.isEmpty && summary.blankLines == 3)
    }

    @Test("a 10 MB line is refused without stopping the read, and the next line still parses")
    func hugeLine() throws {
        var text = #"{"id":"a:1","title":"t"}"# + "\n"
        text += #"{"id":"big:1","description":""# + String(repeating: "a", count: 10 << 20) + "\"}\n"
        text += #"{"id":"a:2","title":"t"}"#  // no final newline
        let path = try TestSupport.temporaryFile(text: text)
        let (posts, warnings, _) = try readAll(path, maxLineBytes: 4 << 20)
        #expect(posts.map(\.id) == ["a:1", "a:2"])
        let w = try #require(warnings.first)
        #expect(w.code == .lineTooLong)
        #expect(w.line == 2)
        #expect(w.message.contains("10.0 MiB"))
        // The limit is what refused it: a 2 MiB line passes a 4 MiB limit and fails a 1 MiB one.
        let medium = try TestSupport.temporaryFile(text: #"{"id":"m:1","description":""# + String(repeating: "b", count: 2 << 20) + "\"}\n")
        #expect(try readAll(medium, maxLineBytes: 4 << 20).0.count == 1)
        #expect(try readAll(medium, maxLineBytes: 1 << 20).1.first?.code == .lineTooLong)
    }

    @Test("a missing file or a folder gives an error that names it")
    func missingFile() throws {
        #expect {
            _ = try readAll("/nonexistent/posts.jsonl")
        } throws: { error in
            (error as? PostsError)?.code == .io && "\(error)".contains("/nonexistent/posts.jsonl")
        }
        let dir = try TestSupport.temporaryDirectory()
        #expect {
            _ = try readAll(dir)
        } throws: { error in
            "\(error)".contains("is a folder")
        }
    }

    @Test("lines that cross the reader's chunk boundaries read correctly")
    func chunkBoundaries() throws {
        var rng = SeededGenerator(seed: 7)
        var lines: [String] = []
        for k in 0..<3000 {
            let n = Int.random(in: 0..<900, using: &rng)
            lines.append(Post(id: "p:\(k)", description: String(repeating: "é", count: n) + "\(k)").jsonLine)
        }
        let path = try TestSupport.temporaryFile(text: lines.joined(separator: "\n"))
        let (posts, warnings, _) = try readAll(path)
        #expect(warnings.isEmpty)
        #expect(posts.count == 3000)
        #expect(posts.enumerated().allSatisfy { k, p in p.id == "p:\(k)" && p.description!.hasSuffix("\(k)") })
    }
}

@Suite("Writing JSON")
struct JSONWriterTests {
    @Test("rounded numbers print without trailing zeros", arguments: [
        (0.97314, "0.9731"), (1.0, "1"), (0.0, "0"), (0.00004, "0"), (0.5, "0.5"), (-2.1049, "-2.105"), (12.5, "12.5"),
        (0.0001, "0.0001"),
    ])
    func roundedNumbers(value: Double, expected: String) {
        var w = JSONWriter()
        w.number(value, digits: value == -2.1049 ? 3 : 4)
        #expect(String(decoding: w.bytes, as: UTF8.self) == expected)
    }

    @Test("strings escape quotes, backslashes and control characters only")
    func escaping() {
        var w = JSONWriter()
        w.string("a\"b\\c\nd\u{1}é中")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #""a\"b\\c\nd\u0001é中""#)
    }
}
