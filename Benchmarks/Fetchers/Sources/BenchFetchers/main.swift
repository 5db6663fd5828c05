// Fetcher benchmarks.
//
//   BenchFetchers parse [megabytes] [repetitions]          feed / HTML / Telegram parsing → posts, one core
//   BenchFetchers fetch BASE_URL [pages] [connections]     pages/s from the local test server, peak RSS
import Fetchers
import Markup
import Foundation

func peakRSSMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}

/// CPU seconds this thread spent in `body`: a one-core figure that other processes on a shared machine do not skew
/// the way wall-clock time does.
func time(_ body: () throws -> Void) rethrows -> Double {
    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    let start = now()
    try body()
    return now() - start
}

let sentences = [
    "Salidas cada semana desde el norte, pregunta por privado para más detalles del viaje.",
    "Reportaje: organizaciones humanitarias abren un nuevo albergue en Tapachula con camas y comida.",
    "走线攻略第一集：准备什么，怎么走，多少天。私信了解 #走线 #美国",
    "How to pack for a long hike in the rain: boots, poncho, water filter & snacks.",
    "Scam warning — people promising a \"guaranteed crossing\" take your money and vanish.",
]

func makeFeed(items: Int) -> [UInt8] {
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Bench</title><link>https://bench.example.invalid/</link><description>bench</description>\n"
    for i in 0..<items {
        let text = (0..<4).map { sentences[(i + $0) % sentences.count] }.joined(separator: " ")
        s += "<item><title>Item \(i) \(sentences[i % sentences.count].prefix(40))</title><link>https://bench.example.invalid/p/\(i)</link><guid>bench-\(i)</guid>"
        s += "<description><![CDATA[<p>\(text)</p>]]></description><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate><dc:creator>demo_\(i % 50)</dc:creator><category>cat\(i % 7)</category></item>\n"
    }
    s += "</channel></rss>\n"
    return Array(s.utf8)
}

func makeAtom(entries: Int) -> [UInt8] {
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:yt=\"http://www.youtube.com/xml/schemas/2015\" xmlns:media=\"http://search.yahoo.com/mrss/\"><title>Bench</title>\n"
    for i in 0..<entries {
        let text = (0..<4).map { sentences[(i + $0) % sentences.count] }.joined(separator: " ")
        s += "<entry><id>yt:video:v\(i)</id><yt:videoId>v\(i)</yt:videoId><yt:channelId>UCbench</yt:channelId><title>Video \(i)</title>"
        s += "<link rel=\"alternate\" href=\"https://www.youtube.com/watch?v=v\(i)\"/><author><name>Bench</name></author><published>2024-03-01T12:00:00+00:00</published>"
        s += "<media:group><media:title>Video \(i)</media:title><media:description>\(text.replacingOccurrences(of: "&", with: "&amp;")) #tag\(i % 9)</media:description></media:group></entry>\n"
    }
    s += "</feed>\n"
    return Array(s.utf8)
}

/// A post page; with `jsonLDInBody` its JSON-LD script sits at the end of the body, so the adapter
/// must parse the whole page instead of the head alone.
func makeHTML(paragraphs: Int, jsonLDInBody: Bool = false) -> [UInt8] {
    var s = "<!DOCTYPE html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>Bench page</title><meta name=\"description\" content=\"bench\">"
    s += "<meta property=\"og:title\" content=\"Bench video\"><meta property=\"og:description\" content=\"\(sentences[0])\"><meta property=\"og:url\" content=\"https://bench.example.invalid/v/1\">"
    for i in 0..<40 { s += "<meta name=\"x-\(i)\" content=\"v\(i)\"><link rel=\"preload\" href=\"/a\(i).js\">" }
    let jsonLD = "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"VideoObject\",\"name\":\"Bench\",\"description\":\"\(sentences[1])\",\"uploadDate\":\"2024-03-01\",\"transcript\":\"\(sentences.joined(separator: " "))\"}</script>"
    if !jsonLDInBody { s += jsonLD }
    s += "</head><body><div class=\"page\">"
    for i in 0..<paragraphs {
        s += "<div class=\"c\"><p class=\"t\">\(sentences[i % sentences.count]) <a href=\"/p/\(i)\">link \(i)</a> <b>bold</b><br>\(sentences[(i + 2) % sentences.count])</p></div>\n"
    }
    s += "</div><script>var x = 1;</script>"
    if jsonLDInBody { s += jsonLD }
    s += "</body></html>"
    return Array(s.utf8)
}

func makeTelegram(messages: Int) -> [UInt8] {
    var s = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><div class=\"tgme_channel_info\"></div><section>"
    for i in 0..<messages {
        s += "<div class=\"tgme_widget_message_wrap\"><div class=\"tgme_widget_message js-widget_message\" data-post=\"bench_demo/\(i + 1)\"><div class=\"tgme_widget_message_bubble\">"
        s += "<div class=\"tgme_widget_message_text js-message_text\" dir=\"auto\">\(sentences[i % sentences.count])<br/>\(sentences[(i + 1) % sentences.count]) #tag</div>"
        s += "<div class=\"tgme_widget_message_footer\"><span class=\"tgme_widget_message_views\">1.\(i % 10)K</span><a class=\"tgme_widget_message_date\" href=\"#\"><time datetime=\"2024-03-04T10:15:00+00:00\">10:15</time></a></div></div></div></div>\n"
    }
    s += "</section></body></html>"
    return Array(s.utf8)
}

/// The real 1 MB YouTube watch page from ../shared/external, when present.
func realWatchPage() -> [(String, [UInt8], ([UInt8]) throws -> Int)] {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../../shared/external/youtube-real-samples/youtube-transcript-api/youtube.html.static").standardized.path
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return [("YouTube watch page", [UInt8](data), { b in try HTMLPage(bytes: b, url: "watch.html").post().hasText ? 1 : 0 })]
}

/// libxml2's HTML parser in event (SAX) mode with a handler that does nothing: the floor under the adapters.
final class NoOpHandler: HTMLEventHandler {
    var elements = 0
    func startElement(_ tag: HTMLTag) { elements += 1 }
    func endElement() {}
    func text(_ bytes: UnsafeBufferPointer<UInt8>) {}
}

func rawEventCases() -> [(String, [UInt8], ([UInt8]) throws -> Int)] {
    [
        ("raw HTML events", makeHTML(paragraphs: 3_000), { let h = NoOpHandler(); try HTMLEvents.parse(bytes: $0, url: "raw.html", handler: h); return 0 }),
        ("raw HTML events, Telegram page", makeTelegram(messages: 2_000), { let h = NoOpHandler(); try HTMLEvents.parse(bytes: $0, url: "raw.html", handler: h); return 0 }),
    ]
}

func benchParse(megabytes: Double, repetitions: Int) throws {
    // Documents of about 1 MB each (a large feed / page), parsed repeatedly up to `megabytes`.
    let cases: [(String, [UInt8], ([UInt8]) throws -> Int)] = [
        ("RSS 2.0 feed", makeFeed(items: 2_000), { try Feed(bytes: $0, url: "bench.xml").posts().count }),
        ("Atom/YouTube feed", makeAtom(entries: 2_000), { try Feed(bytes: $0, url: "bench.atom").posts().count }),
        ("HTML post page (metadata in <head>)", makeHTML(paragraphs: 3_000), { b in try HTMLPage(bytes: b, url: "bench.html").post().hasText ? 1 : 0 }),
        ("HTML post page (JSON-LD in <body>: whole page)", makeHTML(paragraphs: 3_000, jsonLDInBody: true), { b in try HTMLPage(bytes: b, url: "bench.html").post().hasText ? 1 : 0 }),
        ("Telegram preview", makeTelegram(messages: 2_000), { try TelegramPreview(bytes: $0, url: "https://t.me/s/bench_demo").posts().count }),
    ]
    + realWatchPage()
    + (ProcessInfo.processInfo.environment["BENCH_RAW"] != nil ? [
        ("raw XML parse", makeFeed(items: 2_000), { _ = try XMLDocument(bytes: $0, url: "raw.xml"); return 0 }),
        ("raw HTML parse", makeHTML(paragraphs: 3_000), { _ = try HTMLDocument(bytes: $0, url: "raw.html"); return 0 }),
        ("raw HTML parse, Telegram page", makeTelegram(messages: 2_000), { _ = try HTMLDocument(bytes: $0, url: "raw.html"); return 0 }),
    ] + rawEventCases() : [])
    print("parsing on one core (release; MB per CPU-second of the parsing thread), best of \(repetitions):")
    let only = ProcessInfo.processInfo.environment["BENCH_ONLY"]
    for (name, doc, parse) in cases where only == nil || name.hasPrefix(only!) {
        let rounds = max(1, Int(megabytes * 1_048_576 / Double(doc.count)))
        var best = Double.infinity
        var posts = 0
        for _ in 0..<repetitions {
            let t = try time { for _ in 0..<rounds { posts = try parse(doc) } }
            best = min(best, t)
        }
        let mb = Double(doc.count * rounds) / 1_048_576
        print(String(format: "  %-18@ %7.1f MB/s  (%d × %.2f MB, %d posts/doc)", name as NSString, mb / best, rounds, Double(doc.count) / 1_048_576, posts))
    }
}

func benchFetch(base: String, pages: Int, connections: Int) async {
    var c = HTTPClient.Configuration(userAgent: "SmuggleWatchBench/1.0")
    c.maxConnections = connections
    c.maxConnectionsPerHost = connections
    c.perHostInterval = .zero
    c.obeysRobotsTxt = false
    c.retry.maxAttempts = 1
    let client = HTTPClient(configuration: c)
    // Warm-up: open the connections.
    await client.fetchAll((0..<connections * 2).lazy.map { HTTPRequest(url: URL(string: "\(base)/_/small?n=w\($0)")!) }) { _, _ in }
    var ok = 0, failed = 0, bytes = 0
    let t = await timeAsync {
        await client.fetchAll((0..<pages).lazy.map { HTTPRequest(url: URL(string: "\(base)/_/small?n=\($0)")!) }, maxInFlight: connections * 2) { _, r in
            switch r {
            case .success(let resp): ok += 1; bytes += resp.body.count
            case .failure: failed += 1
            }
        }
    }
    print(String(format: "fetch: %d pages (%d ok, %d failed) with %d connections in %.2f s = %.0f pages/s; peak RSS %.1f MiB",
                 pages, ok, failed, connections, t, Double(ok) / t, peakRSSMiB()))
}

func timeAsync(_ body: () async -> Void) async -> Double {
    let c = ContinuousClock()
    let start = c.now
    await body()
    let d = c.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

let args = CommandLine.arguments
switch args.dropFirst().first {
case "fetch":
    guard args.count >= 3 else { print("usage: BenchFetchers fetch BASE_URL [pages] [connections]"); exit(2) }
    await benchFetch(base: args[2], pages: args.count > 3 ? Int(args[3]) ?? 5000 : 5000, connections: args.count > 4 ? Int(args[4]) ?? 16 : 16)
default:
    let mb = args.count > 2 ? Double(args[2]) ?? 32 : 32
    let reps = args.count > 3 ? Int(args[3]) ?? 3 : 3
    try benchParse(megabytes: mb, repetitions: reps)
}
