import Testing
@testable import Fetchers

/// Relative feed links resolved against `Content-Location` or the feed URL (feedparser's behaviour).
@Suite struct FeedBaseURLTests {
    static let atom = Array("<feed xmlns=\"http://www.w3.org/2005/Atom\"><link rel=\"alternate\" href=\"absolute\"/><entry><id>e1</id><title>t</title><link href=\"/abs\"/></entry><entry><id>e2</id><title>u</title><link href=\"https://other.example.invalid/x\"/></entry></feed>".utf8)

    @Test func relativeContentLocationIsResolvedAgainstTheURL() throws {
        let feed = try Feed(bytes: Self.atom, url: "http://127.0.0.1:8097/tests/feed.xml", contentLocation: "/feed/pg.cgi")
        #expect(feed.link == "http://127.0.0.1:8097/feed/absolute")
        #expect(feed.entries.map(\.link) == ["http://127.0.0.1:8097/abs", "https://other.example.invalid/x"])
    }

    @Test func unsafeContentLocationFallsBackToTheURL() throws {
        let feed = try Feed(bytes: Self.atom, url: "http://127.0.0.1:8097/tests/feed.xml", contentLocation: "javascript:alert('unsafe');")
        #expect(feed.link == "http://127.0.0.1:8097/tests/absolute")
        #expect(feed.entries.first?.link == "http://127.0.0.1:8097/abs")
    }

    @Test func linksStayAsWrittenWithoutAnAbsoluteBase() throws {
        let feed = try Feed(bytes: Self.atom, url: "feeds/local.xml", contentLocation: nil)
        #expect(feed.link == "absolute")
        #expect(try Feed(bytes: Self.atom, url: "feeds/local.xml").entries.first?.link == "/abs")
    }
}
