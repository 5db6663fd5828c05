import Foundation
import Markup
import Posts
import Testing
@testable import Fetchers

func fixture(_ path: String) throws -> [UInt8] {
    try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("Fixtures/http/" + path)))
}

@Suite struct FeedAdapterTests {
    @Test func youTubeChannelFeed() throws {
        let feed = try Feed(bytes: fixture("feeds/youtube-channel.xml"), url: "feeds/youtube-channel.xml")
        #expect(feed.format == .atom10)
        #expect(feed.title == "Viajes Demo")
        let posts = feed.posts(fetched: "2026-11-29T12:00:00Z")
        #expect(posts.count == 2)
        let p = posts[0]
        #expect(p.id == "youtube:vid_demo01")
        #expect(p.platform == "youtube")
        #expect(p.url == "https://www.youtube.com/watch?v=vid_demo01")
        #expect(p.author == Author(id: "UCdemo0000000000000000001", name: "Viajes Demo"))
        #expect(p.published == "2024-03-01T12:00:00+00:00")
        #expect(p.description?.hasPrefix("Cómo pasar sin problemas.") == true)
        #expect(p.hashtags == ["viajes", "sinpapeles"])
        #expect(p.fetched == "2026-11-29T12:00:00Z")
    }

    @Test func rss2WithCDATAAndContentEncoded() throws {
        let feed = try Feed(bytes: fixture("feeds/rss2.xml"), url: "rss2.xml")
        #expect(feed.format == .rss2)
        #expect(feed.description == "News & analysis (demo fixture)")
        let posts = feed.posts()
        #expect(posts.map(\.id) == ["web:news-demo-1001", "web:https://blog.example.invalid/p/2"])
        #expect(posts[0].description == "Researchers found posts offering \"guaranteed crossing\" & prices.")
        #expect(posts[0].author?.name == "Demo Reporter")
        #expect(posts[0].hashtags == ["migration"])
        #expect(posts[1].description?.contains("第一段") == true)
        #expect(posts[1].hashtags == ["走线"])
        #expect(posts[0].language == "en")
    }

    @Test func rss1AndAtom() throws {
        let rdf = try Feed(bytes: fixture("feeds/rss1.rdf"), url: "rss1.rdf")
        #expect(rdf.format == .rss1)
        #expect(rdf.entries.first?.link == "https://rdf.example.invalid/a")
        #expect(rdf.posts().first?.published == "2024-01-10T08:00:00Z")
        let atom = try Feed(bytes: fixture("feeds/atom.xml"), url: "atom.xml")
        #expect(atom.description == "Un <em>foro</em> de prueba")
        let post = try #require(atom.posts().first)
        #expect(post.title == "Viajes seguros a USA")
        #expect(post.language == "es")
        #expect(post.author?.name == "guia_demo")
        #expect(post.id == "web:urn:demo:foro:7")
    }

    @Test(arguments: [
        ("<rss><channel><title>x</title><item><title>unclosed</channel>", "malformedDocument"),
        ("<html><body>not a feed</body></html>", "malformedDocument"),
        ("", "malformedDocument"),
    ])
    func badFeedsGiveErrorsNamingTheURL(input: String, code: String) {
        do { _ = try Feed(bytes: Array(input.utf8), url: "https://bad.example.invalid/feed"); Issue.record("expected an error") } catch {
            #expect("\(error.code)" == code)
            #expect(error.message.contains("https://bad.example.invalid/feed"))
        }
    }

    @Test func xxeAndBillionLaughsAreHarmless() throws {
        let xxe = """
        <?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <rss><channel><title>t&xxe;</title><item><title>a</title><description>&xxe;</description></item></channel></rss>
        """
        if let feed = try? Feed(bytes: Array(xxe.utf8), url: "xxe.xml") {
            #expect(feed.title?.contains("root:") != true)
            #expect(feed.entries.first?.description?.contains("root:") != true)
        }
        var laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        laughs += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        for i in 2...9 { laughs += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">" }
        laughs += "]><rss><channel><title>&lol9;</title></channel></rss>"
        if let feed = try? Feed(bytes: Array(laughs.utf8), url: "laughs.xml") {
            #expect((feed.title?.utf8.count ?? 0) <= 2 << 20)
        }
    }
}

@Suite struct HTMLPageAdapterTests {
    @Test func videoObjectWithTranscript() throws {
        let page = try HTMLPage(bytes: fixture("pages/video-post.html"), url: "https://video.example.invalid/v/demo-42")
        let post = page.post(fetched: "2026-11-29T12:00:00Z")
        #expect(post.id == "web:https://video.example.invalid/v/demo-42")
        #expect(post.title == "Cómo cruzar: la ruta de noche")
        #expect(post.description == "Te explico la ruta. Escríbeme al +1 555 555 0100 #ruta")
        #expect(post.published == "2024-03-01T12:00:00Z")
        #expect(post.language == "es")
        #expect(post.author == Author(id: "https://video.example.invalid/@guia_demo", handle: "guia_demo", name: "Guía Demo"))
        #expect(post.hashtags == ["viajes", "ruta", "sinpapeles"])
        #expect(post.captions.map(\.track) == ["es.transcript", "es.caption"])
        #expect(post.captions.first?.text.hasPrefix("Hola a todos.") == true)
        #expect(page.twitter("twitter:creator") == "@guia_demo")
    }

    @Test func socialMediaPostingInAGraph() throws {
        let post = try HTMLPage(bytes: fixture("pages/social-post.html"), url: "https://social.example.invalid/x").post()
        #expect(post.title == "Warning about smuggling scams")
        #expect(post.description?.hasPrefix("Scam warning:") == true)
        #expect(post.author?.handle == "@news_demo")
        #expect(post.hashtags == ["safety", "scams"])
        #expect(post.url == "https://social.example.invalid/news_demo/status/1")
    }

    @Test func fallsBackToTitleAndMetaDescription() throws {
        let post = try HTMLPage(bytes: fixture("pages/plain.html"), url: "https://plain.example.invalid/").post()
        #expect(post.title == "Plain page title")
        #expect(post.description == "Only a title and a meta description here.")
        #expect(post.id == "web:https://plain.example.invalid/")
    }

    @Test func latin1TagSoup() throws {
        let post = try HTMLPage(bytes: fixture("pages/latin1-tag-soup.html"), url: "soup.html").post()
        #expect(post.title == "Café y señales")
    }

    @Test func findsTheEndOfTheHeadOnBytes() {
        func end(_ s: String) -> Int? { HeadBoundary.end(of: Array(s.utf8)) }
        #expect(end("<html><head><title>x</title></head><body>") == 28)
        #expect(end("<HTML><HEAD><TITLE>x</TITLE></HEAD >") == 28)
        #expect(end("<title>x</title><BODY class=a>") == 16)
        #expect(end("<title>x</title><bodyguard><headline>") == nil, "other tags that start alike")
        #expect(end("<title>x</title>") == nil)
        #expect(HeadBoundary.mentionsJSON(ArraySlice("<script type=\"application/LD+JSON\">".utf8)))
        #expect(!HeadBoundary.mentionsJSON(ArraySlice("<p>json</p>".utf8)))
    }

    /// Parsing the head alone must give the same post as parsing the whole page.
    @Test(arguments: ["pages/video-post.html", "pages/social-post.html", "pages/plain.html", "pages/latin1-tag-soup.html"])
    func headOnlyParseEqualsWholePageParse(path: String) throws {
        let bytes = try fixture(path)
        let fast = try HTMLPage(bytes: bytes, url: "https://page.example.invalid/").post()
        let whole = HTMLPage(document: try HTMLDocument(bytes: bytes, url: path), url: "https://page.example.invalid/").post()
        #expect(fast == whole)
    }

    @Test func readsJSONLDAndMetadataFromTheBodyWhenTheHeadHasNone() throws {
        let filler = String(repeating: "<p>paragraph</p>", count: 50)
        let inBody = "<html><head><meta charset=utf-8></head><body>\(filler)<script type=\"application/ld+json\">{\"@type\":\"VideoObject\",\"name\":\"Body video\",\"description\":\"from the body\"}</script></body></html>"
        let post = try HTMLPage(bytes: Array(inBody.utf8), url: "https://page.example.invalid/").post()
        #expect(post.title == "Body video")
        #expect(post.description == "from the body")
        // No metadata in the head at all: the whole page is read, <title> in the body included.
        let titleInBody = "<html><head></head><body>\(filler)<title>Late title</title></body></html>"
        #expect(try HTMLPage(bytes: Array(titleInBody.utf8), url: "https://page.example.invalid/").post().title == "Late title")
    }
}

@Suite struct TelegramAdapterTests {
    @Test func channelPreviewPage() throws {
        let page = try TelegramPreview(bytes: fixture("telegram/s/route_demo.html"), url: "https://t.me/s/route_demo")
        #expect(page.messages.count == 3)
        let m = page.messages[0]
        #expect(m.post == "route_demo/101")
        #expect(m.text == "Salidas cada lunes.\nPrecio especial, pregunta por privado @route_demo #viajes")
        #expect(m.date == "2024-03-04T10:15:00+00:00")
        #expect(m.views == 1200)
        #expect(page.messages[1].views == 987)
        #expect(page.messages[1].text.contains("camas disponibles & comida"))
        #expect(page.before == 101)
        #expect(page.nextPageURL == "https://t.me/s/route_demo?before=101")
        let posts = page.posts()
        #expect(posts.count == 2, "the photo-only message has no text")
        #expect(posts[0].id == "telegram:route_demo/101")
        #expect(posts[0].url == "https://t.me/route_demo/101")
        #expect(posts[0].hashtags == ["viajes"])
        #expect(posts[0].tags == ["views:1200"])
        #expect(posts[0].author?.handle == "route_demo")
    }

    @Test func counts() {
        #expect(TelegramPreview.parseCount("1.2K") == 1200)
        #expect(TelegramPreview.parseCount("3M") == 3_000_000)
        #expect(TelegramPreview.parseCount("15") == 15)
        #expect(TelegramPreview.parseCount("n/a") == nil)
    }

    @Test func notATelegramPage() {
        #expect(throws: FetchError.self) { _ = try TelegramPreview(bytes: Array("<html><p>hi</p></html>".utf8), url: "x.html") }
    }
}

@Suite struct YtDlpAdapterTests {
    static let info = "ytdlp/demo_channel/Cómo pasar [vid_demo01].info.json"

    @Test func infoJSONWithManualAndAutomaticCaptions() throws {
        var warnings: [String] = []
        let post = try YtDlp.post(infoJSONPath: packageRoot.appendingPathComponent("Fixtures/http/" + Self.info).path) { warnings.append("\($0)") }
        #expect(post.id == "youtube:vid_demo01")
        #expect(post.published == "2024-03-01T12:00:00Z")
        #expect(post.author == Author(id: "UCdemo0000000000000000001", handle: "guia_demo", name: "Guía Demo"))
        #expect(post.hashtags == ["viaje", "vlog", "ruta"])
        #expect(Set(post.captions.compactMap(\.track)) == ["es", "en.auto"])
        #expect(post.captions.filter { $0.track == "es" }.map(\.text) == ["Hola, hoy les cuento el viaje.", "Primero hay que llegar al norte."])
        #expect(warnings.count == 1, "the broken .fr.srt is reported, not fatal")
        #expect(warnings.first?.contains(".fr.srt") == true)
    }

    @Test func findsInfoFilesInFolders() {
        let files = YtDlp.infoJSONFiles(under: packageRoot.appendingPathComponent("Fixtures/http/ytdlp").path)
        #expect(files.count == 1)
    }

    @Test(.enabled(if: externalRoot != nil, "../shared/external is absent"))
    func realInfoDicts() throws {
        let root = externalRoot!.appendingPathComponent("youtube-real-samples")
        let manifest = try JSONValue(parsing: [UInt8](Data(contentsOf: root.appendingPathComponent("manifest.json"))))
        var passed = 0, total = 0
        for entry in manifest["ytdlp_info"]?.array ?? [] {
            total += 1
            let path = root.appendingPathComponent(entry["file"]!.string!).path
            let post = try YtDlp.post(infoJSON: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))), url: path)
            let d = entry["upload_date"]!.string!
            let ok = post.id == "youtube:" + entry["id"]!.string! && post.title == entry["title"]!.string!
                && post.published?.replacingOccurrences(of: "-", with: "").hasPrefix(d) == true
            #expect(ok, "\(path)")
            if ok { passed += 1 }
        }
        print("[conformance] youtube-real-samples ytdlp-info: \(passed)/\(total)")
        #expect(total == 2)
    }
}

@Suite struct PlatformAPIAdapterTests {
    @Test func tiktokResearchAPIPagesWithCursor() throws {
        let page = try TikTokVideoQueryPage(bytes: fixture("api/tiktok-video-query.json"), url: "tiktok.json")
        #expect(page.posts.count == 2)
        let p = page.posts[0]
        #expect(p.id == "tiktok:7300000000000000001")
        #expect(p.url == "https://www.tiktok.com/@viajes_demo/video/7300000000000000001")
        #expect(p.author?.handle == "viajes_demo")
        #expect(p.published == "2024-03-01T12:00:00Z")
        #expect(p.hashtags == ["viajes", "usa"])
        #expect(p.captions == [Cue(start: 0, end: 31, text: "hola si quieres viajar mándame mensaje", track: "voice_to_text")])
        #expect(!p.jsonLine.contains("MX"), "region_code is not copied")
        #expect(page.cursor == 2 && page.hasMore && page.searchID == "7300000000000000000-demo")
        let last = try TikTokVideoQueryPage(bytes: fixture("api/tiktok-video-query-page2.json"), url: "p2.json")
        #expect(last.cursor == nil && !last.hasMore)
        let errBytes = try fixture("api/tiktok-error.json")
        do { _ = try TikTokVideoQueryPage(bytes: errBytes, url: "err.json"); Issue.record("expected error") } catch {
            #expect(error.message.contains("rate_limit_exceeded"))
        }
    }

    @Test func youtubeVideosList() throws {
        let page = try YouTubeVideoListPage(bytes: fixture("api/youtube-videos-list.json"), url: "yt.json")
        #expect(page.nextPageToken == "CAUQAA")
        let p = try #require(page.posts.first)
        #expect(p.id == "youtube:vid_demo03")
        #expect(p.title == "走线攻略 第一集")
        #expect(p.author == Author(id: "UCdemo0000000000000000002", name: "Demo 频道"))
        #expect(p.language == "zh")
        #expect(p.hashtags == ["走线", "攻略"])
    }
}

@Suite struct SourceDetectionTests {
    @Test(arguments: [
        ("feeds/youtube-channel.xml", SourceKind.feed), ("feeds/rss2.xml", .feed), ("feeds/rss1.rdf", .feed),
        ("pages/video-post.html", .html), ("pages/plain.html", .html), ("telegram/s/route_demo.html", .telegram),
        ("api/tiktok-video-query.json", .tiktok), ("api/youtube-videos-list.json", .youtubeAPI), ("api/posts.jsonl", .jsonl),
        ("ytdlp/demo_channel/Cómo pasar [vid_demo01].info.json", .ytdlp),
    ])
    func detectsKinds(path: String, kind: SourceKind) throws {
        #expect(SourceKind.detect(bytes: try fixture(path), url: path) == kind)
        let out = try SourceAdapter.posts(from: try fixture(path), url: path)
        #expect(!out.posts.isEmpty)
    }

    @Test func unknownContentSaysWhatToDo() {
        do { _ = try SourceAdapter.posts(from: Array("just text".utf8), url: "notes.txt"); Issue.record("expected error") } catch {
            #expect(error.code == .unsupportedContent)
            #expect(error.message.contains("Pass --as"))
        }
    }
}
