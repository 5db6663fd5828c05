import Crawl
import Fetchers
import Foundation
import SmuggleWatchTesting
import Testing

@Suite("sources.toml and the TOML subset")
struct SourcesFileTests {
    @Test("the TOML subset reads tables, arrays of tables, strings, numbers, booleans and string arrays")
    func tomlValues() throws {
        let text = """
            # a comment
            [defaults]
            every = "30m"   # trailing comment

            [[source]]
            name = "a \\"quoted\\" \\u00e9"
            'literal key' = 'C:\\path'
            n = 1_000
            x = -2.5
            on = true
            tags = [
              "one",   # comment inside
              "two",
            ]
            [[source]]
            name = "b"
            """
        let doc = try TOMLDocument(bytes: Array(text.utf8), file: "t.toml")
        #expect(doc.tables["defaults"]?["every"]?.value == .string("30m"))
        let sources = try #require(doc.arrays["source"])
        #expect(sources.count == 2)
        #expect(sources[0]["name"]?.value == .string("a \"quoted\" é"))
        #expect(sources[0]["literal key"]?.value == .string("C:\\path"))
        #expect(sources[0]["n"]?.value == .integer(1000))
        #expect(sources[0]["x"]?.value == .float(-2.5))
        #expect(sources[0]["on"]?.value == .boolean(true))
        #expect(sources[0]["tags"]?.value == .array([.string("one"), .string("two")]))
        #expect(sources[0]["tags"]?.line == 11)
        #expect(sources[1]["name"]?.line == 16)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var text: String
        var expected: String
        var testDescription: String { expected }
    }

    @Test(
        "a malformed sources file names the file, line and key",
        arguments: [
            BadCase(text: "[[source]]\nkind = \"feed\"\nurl = \"https://x.example.invalid/f\nevery = \"1h\"\n",
                    expected: "s.toml:3: key 'url': the string is not closed with \" on this line."),
            BadCase(text: "[[source]]\nkind = feed\n", expected: "s.toml:2: key 'kind': expected a value; strings need quotes (\"…\")."),
            BadCase(text: "[[source]]\nkind = \"feed\"\nurl = \"https://a.example.invalid/\"\nevery = \"soon\"\n",
                    expected: "s.toml:4: key 'every': expected a duration such as \"90s\", \"30m\", \"2h\" or \"1d\"."),
            BadCase(text: "[[source]]\nkind = \"rss\"\nurl = \"https://a.example.invalid/\"\n",
                    expected: "s.toml:2: key 'kind': unknown kind 'rss'; use one of feed, html, telegram, ytdlp, tiktok, youtube-api, jsonl."),
            BadCase(text: "[[source]]\nkind = \"feed\"\n", expected: "s.toml:1: the source has neither 'url' nor 'path'; give one."),
            BadCase(text: "[[source]]\nkind = \"feed\"\npath = \"a\"\ntags = [\"x\", 2]\n",
                    expected: "s.toml:4: key 'tags': expected an array of strings; one item is an integer."),
            BadCase(text: "[[source]]\nkind = \"feed\"\npath = \"a\"\nevry = \"1h\"\n",
                    expected: "s.toml:4: key 'evry': unknown key in [[source]]; known keys: body, cookies, enabled, every, kind, name, pages, path, proxy, rate_limit, tags, timeout, token_env, url."),
            BadCase(text: "[[source]]\nkind = \"feed\"\npath = \"a\"\nkind = \"html\"\n",
                    expected: "s.toml:4: key 'kind': the key is defined twice in the same table."),
            BadCase(text: "[[source]]\nkind = \"feed\"\npath = \"a\"\nrate_limit = \"fast\"\n",
                    expected: "s.toml:4: key 'rate_limit': expected a rate such as \"2/s\", \"30/m\", a minimum interval such as \"500ms\", or \"0\" for none."),
            BadCase(text: "[[source]]\nname = \"x\"\nkind = \"feed\"\npath = \"a\"\n[[source]]\nname = \"x\"\nkind = \"feed\"\npath = \"b\"\n",
                    expected: "s.toml:5: key 'name': the source name 'x' is already used on line 1; names must be unique."),
            BadCase(text: "[[source]]\nkind = \"feed\"\nurl = { a = 1 }\n",
                    expected: "s.toml:3: key 'url': inline tables ({…}) are not supported; use a [table] instead."),
            BadCase(text: "[[source]\n", expected: "s.toml:1: key 'source': expected ']]' to close the array-of-tables header."),
            BadCase(text: "[[source]]\nkind = \"feed\"\npath = \"a\"\npages = 0\n", expected: "s.toml:4: key 'pages': expected an integer from 1 to 1000."),
            BadCase(text: "[[source]]\nkind = \"tiktok\"\nurl = \"https://a.example.invalid/q\"\ntoken_env = \"Bearer abc\"\n",
                    expected: "s.toml:4: key 'token_env': 'Bearer abc' is not an environment variable name; write the name (TIKTOK_TOKEN), never the token itself."),
            BadCase(text: "[[source]]\nkind = \"tiktok\"\npath = \"a\"\nbody = \"q.json\"\n",
                    expected: "s.toml:4: key 'body': a body is POSTed to an http(s) url; this source has a path."),
        ])
    func badFiles(_ bad: BadCase) throws {
        let error = #expect(throws: SourcesFileError.self) { try SourcesFile.parse(Array(bad.text.utf8), path: "s.toml") }
        #expect(error?.description == bad.expected)
    }

    @Test("the demo sources file resolves relative paths and file:// URLs against its folder, with defaults")
    func demoFile() throws {
        let file = try SourcesFile.load(TestSupport.path("Fixtures/demo/sources.toml"))
        #expect(file.sources.count >= 6)
        let posts = try #require(file.sources.first { $0.name == "demo:posts" })
        #expect(posts.kind == .jsonl)
        #expect(posts.location == .file(TestSupport.path("Fixtures/demo/posts.jsonl")))
        #expect(posts.every == .seconds(1800))
        #expect(posts.minInterval == .seconds(1))
        let rss = try #require(file.sources.first { $0.name == "demo:news-rss" })
        #expect(rss.location == .file(TestSupport.path("Fixtures/http/feeds/rss2.xml")))
        #expect(rss.every == .seconds(3600))
        #expect(rss.tags == ["watchlist:demo"])
        for source in file.sources {
            guard case .file(let path) = source.location else { Issue.record("\(source.name) is not local"); continue }
            #expect(FileManager.default.fileExists(atPath: path), "\(source.name): \(path)")
        }
    }
}
