import Foundation
import Posts
import SmuggleWatchTesting
import Testing
@testable import Fetchers

/// Real libcurl against the local server, then the adapter the Content-Type and content point to.
@Suite(.serialized) struct FetchAndAdaptTests {
    let server: TestHTTPServer
    init() throws { server = try TestHTTPServer() }

    @Test(arguments: [
        ("/feeds/youtube-channel.xml", SourceKind.feed, 2), ("/feeds/rss1.rdf", .feed, 1), ("/pages/video-post.html", .html, 1),
        ("/telegram/s/route_demo", .telegram, 2), ("/api/youtube-videos-list.json", .youtubeAPI, 1),
        ("/api/tiktok-video-query.json", .tiktok, 2),
    ])
    func fetchesAndAdapts(path: String, kind: SourceKind, count: Int) async throws {
        let r = try await fastClient().fetch(server.url(path))
        let out = try SourceAdapter.posts(from: r.body, url: r.finalURL.absoluteString, mediaType: r.mediaType, charset: r.charset,
                                          fetched: r.evidence.fetchedISO8601)
        #expect(out.kind == kind)
        #expect(out.posts.count == count)
        #expect(out.posts.allSatisfy { $0.fetched == r.evidence.fetchedISO8601 })
    }

    @Test func pagesBackwardsThroughATelegramChannel() async throws {
        let client = fastClient()
        let first = try await client.fetch(server.url("/telegram/s/route_demo"))
        let page1 = try TelegramPreview(bytes: first.body, url: first.finalURL.absoluteString)
        let next = try #require(page1.nextPageURL)
        #expect(next.hasSuffix("/telegram/s/route_demo?before=101"))
        let second = try await client.fetch(URL(string: next)!)
        let page2 = try TelegramPreview(bytes: second.body, url: second.finalURL.absoluteString)
        #expect(page2.messages.map(\.number) == [99, 100])
        #expect(page2.before == 99)
    }
}
