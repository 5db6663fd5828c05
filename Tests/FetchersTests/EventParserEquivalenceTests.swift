import Foundation
import Markup
import Posts
import Testing
@testable import Fetchers

/// The Telegram and HTML page adapters read libxml2's parser events instead of a tree. These tests check, input by
/// input, that the event path gives exactly what the tree path (`init(treeOf:url:)`) gives: the same messages,
/// metadata and posts, or the same error. Inputs: every file under Fixtures/http, the external HTML samples, and
/// mangled variants of them (tag soup, truncation, deep nesting, huge text, lying or odd encodings).
@Suite struct EventParserEquivalenceTests {
    /// A Telegram result reduced to comparable values: the page's fields or the error message.
    static func telegram(_ bytes: [UInt8], url: String, tree: Bool) -> String {
        do {
            let page = tree ? try TelegramPreview(treeOf: bytes, url: url) : try TelegramPreview(bytes: bytes, url: url)
            var out = "channel=\(page.channel ?? "-") title=\(page.channelTitle ?? "-") before=\(page.before.map(String.init) ?? "-") next=\(page.nextPageURL ?? "-")\n"
            for m in page.messages { out += "\(m)\n" }
            for p in page.posts(fetched: nil) { out += p.jsonLine + "\n" }
            return out
        } catch {
            return "error: \(error)"
        }
    }

    static func htmlPage(_ bytes: [UInt8], url: String, encoding: String? = nil, tree: Bool) -> String {
        do {
            let page = tree ? try HTMLPage(treeOf: bytes, url: url, encoding: encoding) : try HTMLPage(bytes: bytes, url: url, encoding: encoding)
            var out = "title=\(page.title ?? "-") description=\(page.metaDescription ?? "-") canonical=\(page.canonicalURL ?? "-") lang=\(page.language ?? "-")\n"
            out += "og=\(page.openGraph.map { "\($0.property)=\($0.content)" })\n"
            out += "twitter=\(page.twitterCard.map { "\($0.name)=\($0.content)" })\n"
            out += "meta=\(page.meta.map { "\($0.name)=\($0.content)" })\n"
            out += "jsonld=\(page.jsonLD.map(canonical))\n"
            out += page.post(fetched: nil).jsonLine
            return out
        } catch {
            return "error: \(error)"
        }
    }

    /// Both adapters, both paths, on one input: the event path must agree with the tree path.
    static func expectSame(_ bytes: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = "https://t.me/s/\(name.split(separator: "/").last.map(String.init) ?? "x")"
        let tEvents = telegram(bytes, url: url, tree: false)
        let tTree = telegram(bytes, url: url, tree: true)
        #expect(tEvents == tTree, "Telegram, \(name)", sourceLocation: sourceLocation)
        let hEvents = htmlPage(bytes, url: name, tree: false)
        let hTree = htmlPage(bytes, url: name, tree: true)
        #expect(hEvents == hTree, "HTML page, \(name)", sourceLocation: sourceLocation)
        for result in [tEvents, hEvents] where result.hasPrefix("error: ") {
            #expect(result.contains(name.split(separator: "/").last.map(String.init) ?? name), "errors name the URL: \(result)", sourceLocation: sourceLocation)
        }
    }

    static func files(under root: URL) -> [URL] {
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return e.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path }
    }

    /// The HTML inputs: every fixture file, the extruct samples and the real YouTube pages.
    static var inputs: [(String, [UInt8])] {
        var urls = files(under: packageRoot.appendingPathComponent("Fixtures/http"))
        if let external = externalRoot {
            urls += files(under: external.appendingPathComponent("extruct-jsonld-opengraph")).filter { $0.pathExtension.hasPrefix("htm") }
            urls += files(under: external.appendingPathComponent("youtube-real-samples")).filter { $0.lastPathComponent.contains(".html") }
        }
        return urls.compactMap { u in (try? Data(contentsOf: u)).map { (u.path.replacingOccurrences(of: packageRoot.path + "/", with: ""), [UInt8]($0)) } }
    }

    @Test func fixturesAndExternalSamples() throws {
        let all = Self.inputs
        #expect(all.count >= 20, "found \(all.count) inputs")
        if externalRoot == nil { print("note: ../shared/external is absent; comparing on Fixtures/http only") }
        var telegramMessages = 0
        for (name, bytes) in all {
            Self.expectSame(bytes, name)
            if name.contains("telegram/"), let page = try? TelegramPreview(bytes: bytes, url: "https://t.me/s/route_demo") {
                telegramMessages += page.messages.count
            }
        }
        #expect(telegramMessages >= 3, "the Telegram fixtures gave messages")
    }

    /// Deterministic variants of the fixtures: truncations, cuts, spliced tag soup, byte noise.
    @Test func mangledFixtures() throws {
        let seeds = Self.inputs.filter { $0.0.hasSuffix(".html") || $0.0.contains(".html") }
        #expect(!seeds.isEmpty)
        var rng = SplitMix(seed: 0x5EED)
        let soup = ["<div>", "</div>", "<p>", "</span>", "<br>", "</html>", "<html lang=\"fr\">", "<!--", "-->", "<![CDATA[x]]>",
                    "<!DOCTYPE html>", "<title>", "</title>", "<script>", "</script>", "<script type=\"application/ld+json\">{\"@type\":\"VideoObject\",\"name\":\"N\"}",
                    "<x:script type='application/ld+json'>[1,", "&amp;", "&nbsp", "&#x1F600;", "&#0;", "<time datetime=\"2024\">",
                    "<div class=\"tgme_widget_message\" data-post=\"c_demo/9\">", "<div class=\"tgme_widget_message_text\">t<br/>u",
                    "<span class=\"tgme_widget_message_views\">2K</span>", "<a class=\"tgme_widget_message_reply\">", "<b>", "<table><td>",
                    "<meta property=og:title content=X>", "<meta name=twitter:title content=T>", "<link rel=CANONICAL href=/c>",
                    "\u{0}", "\u{FEFF}", "é", "\u{301}", "<input checked>", "<xml:title>", "<?pi x?>", "<", ">", "\"", "'"]
        for (name, bytes) in seeds {
            for variant in 0..<12 {
                var b = bytes
                switch variant {
                case 0, 1, 2:  // truncated
                    b = Array(b.prefix(Int(rng.next() % UInt64(max(1, b.count)))))
                case 3, 4, 5, 6:  // spliced soup
                    for _ in 0..<(1 + Int(rng.next() % 12)) {
                        let at = Int(rng.next() % UInt64(b.count + 1))
                        b.insert(contentsOf: Array(soup[Int(rng.next() % UInt64(soup.count))].utf8), at: at)
                    }
                case 7, 8:  // byte noise
                    for _ in 0..<(1 + Int(rng.next() % 20)) where !b.isEmpty {
                        b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
                    }
                case 9:  // a cut out of the middle
                    if b.count > 2 {
                        let from = Int(rng.next() % UInt64(b.count)), to = min(b.count, from + Int(rng.next() % 2000))
                        b.removeSubrange(from..<to)
                    }
                case 10:  // everything after </html> again
                    b += Array("</html>trailing <div class=\"tgme_widget_message\" data-post=\"late_demo/7\"><div class=\"tgme_widget_message_text\">late</div></div>".utf8)
                default:  // Latin-1 bytes in a UTF-8 page
                    b = b.map { $0 == 0x61 ? 0xE9 : $0 }
                }
                Self.expectSame(b, "\(name)#\(variant)")
            }
        }
    }

    /// Hand-made edge cases, one per behaviour of libxml2's tree builder that the event parser mirrors.
    @Test(arguments: Self.edgeCases.map(\.0))
    func edgeCase(_ name: String) throws {
        let bytes = try #require(Self.edgeCases.first { $0.0 == name }).1
        Self.expectSame(bytes, name)
    }

    /// The one-pass class lookup agrees with `hasToken` for every marker, on space/tab/odd class lists.
    @Test func classBitsAgreeWithHasToken() {
        let names: [(StaticString, UInt8, Bool)] = [
            ("tgme_widget_message_reply", TelegramEventScanner.reply, true), ("tgme_widget_message_text", TelegramEventScanner.textClass, true),
            ("tgme_widget_message_views", TelegramEventScanner.views, true), ("tgme_widget_message_owner_name", TelegramEventScanner.owner, true),
            ("tgme_widget_message", TelegramEventScanner.message, false), ("tme_messages_more", TelegramEventScanner.more, false),
            ("tgme_channel_info", TelegramEventScanner.channelInfo, false), ("tgme_channel_info_header_title", TelegramEventScanner.channelTitleClass, false),
        ]
        let lists = ["", " ", "tgme_widget_message", "js-widget_message tgme_widget_message", "x\ttgme_widget_message_text\t",
                     "tgme_widget_message_textx", "  tgme_widget_message_views  tme_messages_more", "tgme_channel_info\ttgme_channel_info_header_title",
                     "tgme_widget_message\tx", "\u{301}tgme_widget_message tgme_widget_message_reply", "tgme_channel_info_header_title tgme_widget_message_owner_name"]
        for list in lists {
            var copy = list
            copy.withUTF8 { b in
                for (name, bit, tabs) in names {
                    #expect((TelegramEventScanner.classes(b, tabs: tabs) & bit != 0) == TelegramPreview.hasToken(b, name, tabs: tabs), "\(name) in \(list.debugDescription)")
                }
            }
        }
    }

    /// The byte-level count parser gives what the Character-level reference gives.
    @Test func countFastPathMatchesTheReference() {
        let inputs = ["987", "1.2K", "1.2k", " 3.4M ", "1,234", "1.0005K", "5B", "K", "", " ", "n/a", "1e3", "0x10", "1.2KK", "-4",
                      "1.2Ḱ", "12\u{301}", "١٢", "1\r\n2", "inf", "nan", ".5K", "9999999999999999999", "1,,2M", "+7", "1 2"]
        for s in inputs {
            #expect(TelegramPreview.parseCount(s) == TelegramPreview.parseCountSlowly(s), "\(s.debugDescription)")
        }
    }

    static let edgeCases: [(String, [UInt8])] = {
        func u(_ s: String) -> [UInt8] { Array(s.utf8) }
        let message = "<div class=\"tgme_widget_message\" data-post=\"deep_demo/5\"><div class=\"tgme_widget_message_text\">deep text</div><time datetime=\"2024-01-01\">x</time></div>"
        let deep = String(repeating: "<div>", count: 300) + message
        let almostDeep = String(repeating: "<div>", count: 250) + message
        let hugeText = "<html><body><div class=\"tgme_channel_info\"></div>" + message.replacingOccurrences(of: "deep text", with: String(repeating: "a", count: 10_000_100)) + "<title>after</title></body></html>"
        return [
            ("empty", []),
            ("blank", u("  \n ")),
            ("nul", [0, 0, 0x3C, 0]),
            ("utf16le-bom", [0xFF, 0xFE] + Array("<html><head><title>T</title><meta property=\"og:title\" content=\"U\"></head></html>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
            ("utf16be-bom-truncated", [0xFE, 0xFF, 0x00, 0x3C, 0x00]),
            ("declared-shift_jis", u("<meta charset=\"shift_jis\"><title>\u{82}</title>") + [0x82, 0xA0]),
            ("declared-unknown-charset", u("<meta charset=\"x-no-such\"><title>T</title>")),
            ("latin1-declared-utf8", u("<meta charset=utf-8><title>caf") + [0xE9] + u("</title>")),
            ("prefixed-elements", u("<html lang=de><head><og:title>Pref</og:title><x:meta property=\"og:title\" content=\"P\"><xml:title>X</xml:title></head></html>")),
            ("boolean-and-valueless-attributes", u("<html><head><meta content property><meta content=c name><link rel=canonical href></head><body><div class data-post=\"a/1\"></div></body></html>")),
            ("trailing-after-html", u("<html lang=en><head><title></title></head></html>after <title>T2</title><meta name=description content=D>")),
            ("comment-then-trailing", u("<!-- c --><html lang=en><title></title></html>after<title>T3</title>")),
            ("doctype-then-trailing", u("<!DOCTYPE html><html lang=en><title></title></html>after<title>T4</title>")),
            ("misplaced-doctype", u("<html lang=en><title></title></html><!DOCTYPE html>after<title>T5</title>")),
            ("root-is-a-message", u("<html class=\"tgme_widget_message\" data-post=\"root_demo/3\"><body></body></html><div class=\"tgme_widget_message_text\">attached</div>")),
            ("nested-messages", u("<div class=\"tgme_widget_message\" data-post=\"n_demo/1\"><div class=\"tgme_widget_message\" data-post=\"n_demo/2\"><div class=\"tgme_widget_message_text\">inner</div></div><div class=\"tgme_widget_message_text\">outer</div></div>")),
            ("reply-and-breaks", u("<div class=\"tgme_widget_message\" data-post=\"r_demo/4\"><a class=\"tgme_widget_message_reply\"><div class=\"tgme_widget_message_text\">quoted</div><time datetime=\"q\"></time></a><div class=\"tgme_widget_message_text\">a<br>b<br/><b>c</b> #tag</div><span class=\"tgme_widget_message_views\">1.5K</span><span class=\"tgme_widget_message_owner_name\"> </span><span class=\"tgme_widget_message_owner_name\">Owner</span></div>")),
            ("class-with-tabs", u("<div class=\"x\ttgme_widget_message\" data-post=\"t_demo/1\"><div class=\"a\ttgme_widget_message_text\">tab</div></div><div class=\"tgme_widget_message \u{301}x\" data-post=\"t_demo/2\"><div class=\"tgme_widget_message_text\">mark</div></div>")),
            ("channel-title-candidates", u("<div class=\"tgme_channel_info\"><div class=\"tgme_channel_info_header_title\"> </div><div class=\"tgme_channel_info_header_title\"><span>Chan</span></div></div><a class=\"tme_messages_more\" data-before=\"77\"></a>")),
            ("post-without-number", u("<div class=\"tgme_widget_message\" data-post=\"nonum\"><div class=\"tgme_widget_message_text\">x</div></div><div class=\"tgme_widget_message\" data-post=\"c/\u{301}12\"><div class=\"tgme_widget_message_text\">y</div></div>")),
            ("nested-jsonld-scripts", u("<html><body><x:script type=\"application/ld+json\">[{\"@type\":\"Article\",\"name\":\"outer\"}<script type=\"application/ld+json\">{\"@type\":\"VideoObject\",\"name\":\"inner\"}</script>]</x:script></body></html>")),
            ("script-in-title", u("<html><body><title>A<script>B</script>C</title><title>second</title></body></html>")),
            ("auto-closing", u("<html><head><title>t</title></head><body><p><div class=\"tgme_widget_message\" data-post=\"a_demo/1\"><p>x<table><td><div class=\"tgme_widget_message_text\">cell</div></table></div><b><p>y</p></b></body></html>")),
            ("deep-nesting-over-libxml2-limit", u(deep)),
            ("deep-nesting-under-limit", u(almostDeep)),
            ("huge-text-node", u(hugeText)),
        ]
    }()
}

/// JSON with sorted keys, so two equal values print the same.
func canonical(_ v: JSONValue) -> String {
    switch v {
    case .null: "null"
    case .bool(let b): "\(b)"
    case .number(let d): "\(d)"
    case .integer(let i): "\(i)"
    case .string(let s): "\(s.debugDescription)"
    case .array(let a): "[" + a.map(canonical).joined(separator: ",") + "]"
    case .object(let o): "{" + o.keys.sorted().map { "\($0.debugDescription):\(canonical(o[$0]!))" }.joined(separator: ",") + "}"
    }
}

/// A small deterministic generator for the mangled inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
