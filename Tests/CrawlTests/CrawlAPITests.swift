import Foundation
import ReviewQueue
import SmuggleWatchTesting
import Testing

/// Platform research APIs as crawl sources: the TikTok Research API query is POSTed with a bearer
/// token from the environment and paged with cursor + search_id; YouTube Data API pages with
/// pageToken. The local server plays both APIs (Tests/Support/test_http_server.py).
@Suite("crawl: research API sources and their paging cursors")
struct CrawlAPITests {
    static func sources(in root: String, server: TestHTTPServer) throws -> String {
        try #"{"query": {"and": [{"operation": "IN", "field_name": "keyword", "field_values": ["viajes"]}]}, "start_date": "20240301", "end_date": "20240307", "max_count": 2}"#
            .write(toFile: root + "/tiktok-query.json", atomically: true, encoding: .utf8)
        return try CrawlRun.sources(
            """
            [defaults]
            rate_limit = "0"
            pages = 5
            [[source]]
            name = "tiktok"
            kind = "tiktok"
            url = "\(server.url("/_/tiktok/query?fields=id,video_description,username"))"
            body = "tiktok-query.json"
            token_env = "SW_TEST_TIKTOK_TOKEN"
            [[source]]
            name = "youtube"
            kind = "youtube-api"
            url = "\(server.url("/_/youtube/videos?part=snippet&chart=mostPopular"))"
            """, in: root)
    }

    @Test("every page is followed: TikTok cursor and search_id go back in the POSTed query, YouTube's pageToken in the URL")
    func followsCursors() async throws {
        let root = try TestSupport.temporaryDirectory()
        let server = try TestHTTPServer()
        let sources = try Self.sources(in: root, server: server)
        let db = root + "/q.sqlite"
        let r = try CrawlRun.crawl(["--once", "--sources", sources, "--db", db], environment: ["SW_TEST_TIKTOK_TOKEN": "demo-token"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.count("new", "tiktok") == 3, "\(r.stdout)")
        #expect(r.count("new", "youtube") == 2, "\(r.stdout)")

        let posts = try server.posts()
        #expect(posts.count == 2)
        for p in posts {
            #expect(p["authorization"] as? String == "Bearer demo-token")
            #expect(p["contentType"] as? String == "application/json")
        }
        let first = try #require(posts.first?["body"] as? [String: Any])
        let second = try #require(posts.last?["body"] as? [String: Any])
        #expect(first["cursor"] == nil)
        #expect(second["cursor"] as? Int == 2)
        #expect(second["search_id"] as? String == "7300000000000000000-demo")
        #expect(second["max_count"] as? Int == 2, "the rest of the query goes back unchanged")
        #expect(second["query"] != nil)
        let hits = try server.hits()
        #expect(hits["/_/youtube/videos"] == 2)

        let stats = try await withStore(db) { try await $0.stats() }
        #expect(stats.posts == 5)
        let stored = try await withStore(db) { store in
            try await ["tiktok:7300000000000000003", "youtube:vid_demo04"].asyncMap { try await store.post(id: $0) }
        }
        #expect(stored.allSatisfy { $0 != nil }, "the last pages' posts are stored")
    }

    @Test("a missing token fails only that source, naming the variable; a bad sources body is refused with file, line and key")
    func missingTokenAndBadBody() throws {
        let root = try TestSupport.temporaryDirectory()
        let server = try TestHTTPServer()
        let sources = try Self.sources(in: root, server: server)
        let r = try CrawlRun.crawl(["--once", "--sources", sources, "--db", root + "/q.sqlite"], environment: ["SW_TEST_TIKTOK_TOKEN": ""])
        #expect(r.status == 0, "one source still worked")
        #expect(r.status(of: "tiktok") == "failed")
        #expect(r.stderr.contains("The environment variable SW_TEST_TIKTOK_TOKEN (token_env of source 'tiktok') is not set"), "\(r.stderr)")
        #expect(r.count("new", "youtube") == 2)

        try "[1, 2]".write(toFile: root + "/tiktok-query.json", atomically: true, encoding: .utf8)
        let bad = try CrawlRun.crawl(["--once", "--sources", sources, "--db", root + "/q.sqlite"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("sources.toml:8: key 'body': '\(root)/tiktok-query.json' is not a JSON object"), "\(bad.stderr)")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}
