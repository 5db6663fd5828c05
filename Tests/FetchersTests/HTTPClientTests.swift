import Crypto
import CCurl
import Foundation
import SmuggleWatchTesting
import Testing
@testable import Fetchers

/// A client with politeness delays off, for tests against the local server.
func fastClient(_ edit: (inout HTTPClient.Configuration) -> Void = { _ in }) -> HTTPClient {
    var c = HTTPClient.Configuration(userAgent: "SmuggleWatchTest/1.0")
    c.perHostInterval = .zero
    c.maxConnectionsPerHost = 16
    c.retry.baseDelay = .milliseconds(20)
    c.retry.maxDelay = .milliseconds(200)
    c.connectTimeout = .seconds(5)
    c.totalTimeout = .seconds(20)
    edit(&c)
    return HTTPClient(configuration: c)
}

@Suite(.serialized) struct HTTPClientTests {
    let server: TestHTTPServer
    init() throws { server = try TestHTTPServer() }

    @Test func fetchesAFixtureAndKeepsEvidence() async throws {
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("sw-archive-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let client = fastClient { $0.archiveDirectory = archive }
        let before = Date()
        let r = try await client.fetch(server.url("/hello.txt"))
        #expect(r.status == 200)
        #expect(String(decoding: r.body, as: UTF8.self) == "hello fixture\n")
        #expect(r.evidence.sha256 == SHA256.hex(of: Array("hello fixture\n".utf8)))
        #expect(r.evidence.finalURL == server.url("/hello.txt"))
        #expect(r.evidence.fetched >= before.addingTimeInterval(-1))
        #expect(r.mediaType == "text/plain")
        let path = try #require(r.evidence.archivePath)
        #expect(FileManager.default.contents(atPath: path) == Data("hello fixture\n".utf8))
    }

    @Test func sendsTheConfiguredUserAgent() async throws {
        let r = try await fastClient().fetch(server.url("/_/echo"))
        let json = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        let headers = json["headers"] as! [String: String]
        #expect(headers["User-Agent"] == "SmuggleWatchTest/1.0")
        #expect(headers["Accept-Encoding"]?.contains("gzip") == true)
    }

    @Test func decodesCompressedResponses() async throws {
        let r = try await fastClient().fetch(server.url("/_/gzip-page"))
        #expect(String(decoding: r.body, as: UTF8.self).contains("Compressed ✓"))
    }

    @Test func followsRedirectsAndRecordsTheFinalURL() async throws {
        let r = try await fastClient().fetch(server.url("/_/redirect?to=/hello.txt"))
        #expect(r.status == 200)
        #expect(r.finalURL.path == "/hello.txt")
    }

    @Test func stopsRedirectLoops() async throws {
        await #expect(throws: FetchError.self) {
            _ = try await fastClient { $0.maxRedirects = 3 }.fetch(server.url("/_/redirect-loop"))
        }
        do { _ = try await fastClient { $0.maxRedirects = 3 }.fetch(server.url("/_/redirect-loop")) } catch {
            #expect(error.code == .tooManyRedirects)
            #expect((error.cause as? CurlError)?.code == .tooManyRedirects)
        }
    }

    @Test func conditionalGetAnswers304() async throws {
        let client = fastClient()
        let first = try await client.fetch(server.url("/_/etag"))
        #expect(first.status == 200)
        let etag = try #require(first.header("ETag"))
        let second = try await client.fetch(HTTPRequest(url: server.url("/_/etag"), etag: etag))
        #expect(second.isNotModified)
        #expect(second.body.isEmpty)
        let byDate = try await client.fetch(HTTPRequest(url: server.url("/_/etag"), lastModified: first.header("Last-Modified")))
        #expect(byDate.status == 304)
        // Static fixtures carry validators too.
        let file = try await client.fetch(server.url("/hello.txt"))
        let again = try await client.fetch(HTTPRequest(url: server.url("/hello.txt"), etag: file.header("ETag")))
        #expect(again.status == 304)
    }

    @Test func retries500ThenSucceeds() async throws {
        let r = try await fastClient().fetch(server.url("/_/flaky?id=\(UUID())&fails=2"))
        #expect(r.status == 200)
        #expect(r.attempts == 3)
        #expect(String(decoding: r.body, as: UTF8.self) == "ok after 2\n")
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        do {
            _ = try await fastClient { $0.retry.maxAttempts = 2 }.fetch(server.url("/_/flaky?id=\(UUID())&fails=5"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .httpStatus)
            #expect(error.status == 500)
            #expect(error.message.contains("HTTP 500 after 2 attempt(s)"))
        }
    }

    @Test func honoursRetryAfterOn429() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let r = try await fastClient().fetch(server.url("/_/retry-after?id=\(UUID())&s=1"))
        let elapsed = clock.now - start
        #expect(r.status == 200)
        #expect(r.attempts == 2)
        #expect(elapsed >= .milliseconds(950), "waited \(elapsed), Retry-After said 1 s")
    }

    @Test func refusesRetryAfterLongerThanTheCap() async throws {
        do {
            _ = try await fastClient { $0.retry.maxRetryAfter = .seconds(5) }.fetch(server.url("/_/retry-after?id=\(UUID())&s=3600"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .rateLimited)
        }
    }

    @Test func parsesRetryAfterDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let later = HTTPClient.parseRetryAfter("Tue, 14 Nov 2023 22:13:40 GMT", now: now)
        #expect(later == .seconds(20))
        #expect(HTTPClient.parseRetryAfter("120", now: now) == .seconds(120))
        #expect(HTTPClient.parseRetryAfter("soon", now: now) == nil)
    }

    @Test func timesOutSlowResponses() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await fastClient { $0.totalTimeout = .milliseconds(300); $0.retry.maxAttempts = 1 }
                .fetch(server.url("/_/slow?ms=30000"))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.code == .timedOut)
            #expect(error.message.contains("/_/slow"))
        }
        // The server answers after 30 s; a 300 ms timeout ends long before, even on a loaded machine.
        #expect(clock.now - start < .seconds(15))
    }

    @Test(arguments: ["/_/big?mb=50&length=1", "/_/big?mb=50&length=0"])
    func abortsResponsesOverTheSizeCap(path: String) async throws {
        do {
            _ = try await fastClient { $0.maxResponseBytes = 1 << 20 }.fetch(server.url(path))
            Issue.record("expected responseTooLarge")
        } catch {
            #expect(error.code == .responseTooLarge)
        }
    }

    @Test func stopsAGzipBombAfterDecompression() async throws {
        do {
            _ = try await fastClient { $0.maxResponseBytes = 2 << 20 }.fetch(server.url("/_/gzip-bomb?mb=200"))
            Issue.record("expected responseTooLarge")
        } catch {
            #expect(error.code == .responseTooLarge)
        }
    }

    @Test func obeysRobotsTxt() async throws {
        let client = fastClient()
        await #expect(throws: FetchError.self) { _ = try await client.fetch(server.url("/private/secret.html")) }
        let open = try await client.fetch(server.url("/private/open.html"))
        #expect(open.status == 200)
        let blocked = fastClient { $0.userAgent = "BlockedBot/2.0" }
        do { _ = try await blocked.fetch(server.url("/hello.txt")); Issue.record("expected robots refusal") } catch {
            #expect(error.code == .disallowedByRobots)
        }
        let ignoring = fastClient { $0.obeysRobotsTxt = false }
        #expect(try await ignoring.fetch(server.url("/private/secret.html")).status == 200)
    }

    @Test func cachesRobotsTxt() async throws {
        let client = fastClient()
        for i in 0..<5 { _ = try await client.fetch(server.url("/_/small?n=\(i)")) }
        let stats = try await fastClient { $0.obeysRobotsTxt = false }.fetch(server.url("/_/stats"))
        let json = try JSONSerialization.jsonObject(with: Data(stats.body)) as! [String: Any]
        let hits = json["hits"] as! [String: Int]
        #expect(hits["/robots.txt"] == 1)
    }

    @Test func capsConcurrencyPerHost() async throws {
        let client = fastClient { $0.maxConnectionsPerHost = 2; $0.obeysRobotsTxt = false }
        _ = try await client.fetch(server.url("/_/reset"))
        let requests = (0..<8).map { HTTPRequest(url: server.url("/_/concurrent?ms=150&i=\($0)")) }
        var ok = 0
        await client.fetchAll(requests) { _, result in if case .success = result { ok += 1 } }
        #expect(ok == 8)
        let stats = try await client.fetch(server.url("/_/stats"))
        let json = try JSONSerialization.jsonObject(with: Data(stats.body)) as! [String: Any]
        #expect(json["maxConcurrent"] as? Int == 2)
    }

    @Test func spacesRequestsToOneHost() async throws {
        let client = fastClient { $0.perHostInterval = .milliseconds(100); $0.obeysRobotsTxt = false }
        let clock = ContinuousClock()
        let start = clock.now
        var n = 0
        await client.fetchAll((0..<6).map { HTTPRequest(url: server.url("/_/small?n=\($0)")) }) { _, _ in n += 1 }
        #expect(n == 6)
        #expect(clock.now - start >= .milliseconds(490))
    }

    @Test func goesThroughAnHTTPProxy() async throws {
        // The test server also answers absolute-URI requests as a forward proxy does.
        let client = fastClient { $0.proxy = server.base; $0.obeysRobotsTxt = false }
        let r = try await client.fetch(URL(string: "http://proxied.invalid/_/echo")!)
        #expect(r.header("X-Proxied") == "1")
    }

    @Test func goesThroughASOCKS5ProxyThatResolvesTheHost() async throws {
        // Names under .socks.test resolve only inside the proxy (Tests/Support/socks5_proxy.py), so
        // the fetch succeeds only when it really went through the proxy with socks5h.
        let proxy = try TestHTTPServer(script: "socks5_proxy.py")
        let url = URL(string: "http://fixtures.socks.test:\(server.port)/_/echo")!
        let r = try await fastClient { $0.proxy = "socks5h://127.0.0.1:\(proxy.port)"; $0.obeysRobotsTxt = false }.fetch(url)
        #expect(r.status == 200)
        let json = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        #expect((json["headers"] as! [String: String])["Host"] == "fixtures.socks.test:\(server.port)")
        // socks5:// resolves locally, where the name does not exist: a proxy error that says so.
        do {
            _ = try await fastClient { $0.proxy = "socks5://127.0.0.1:\(proxy.port)"; $0.retry.maxAttempts = 1 }.fetch(url)
            Issue.record("a local lookup of \(url.host!) should fail")
        } catch {
            #expect(error.code == .proxy)
            #expect(error.message.contains("socks5://127.0.0.1:\(proxy.port)"))
            #expect(error.message.contains("socks5h://"))
        }
    }

    @Test func sendsCookiesFromANetscapeFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cookies-\(UUID()).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tdemo_token\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try await fastClient { $0.cookieFile = file.path }.fetch(server.url("/_/echo"))
        let json = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        #expect((json["headers"] as! [String: String])["Cookie"] == "session=demo_token")
    }

    @Test func reportsRefusedConnections() async throws {
        do {
            _ = try await fastClient { $0.retry.maxAttempts = 1 }.fetch(URL(string: "http://127.0.0.1:1/x")!)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .couldNotConnect)
            #expect(error.description.hasPrefix("couldNotConnect: Could not connect to 'http://127.0.0.1:1/x'"))
        }
    }

    @Test func rejectsNonHTTPURLs() async throws {
        do { _ = try await fastClient().fetch(URL(string: "file:///etc/passwd")!); Issue.record("expected an error") } catch {
            #expect(error.code == .invalidURL)
        }
    }

    @Test func fetchAllKeepsMemoryBoundedOverManyURLs() async throws {
        let client = fastClient { $0.obeysRobotsTxt = false }
        let urls = (0..<300).lazy.map { HTTPRequest(url: self.server.url("/_/small?n=\($0)")) }
        var count = 0
        await client.fetchAll(urls, maxInFlight: 8) { _, result in if case .success = result { count += 1 } }
        #expect(count == 300)
    }
}

@Suite struct CurlErrorTests {
    @Test func swiftNamesMatchLibcurlCodes() {
        let expected: [String: UInt32] = [
            "CURLE_UNSUPPORTED_PROTOCOL": CURLE_UNSUPPORTED_PROTOCOL.rawValue, "CURLE_URL_MALFORMAT": CURLE_URL_MALFORMAT.rawValue,
            "CURLE_COULDNT_RESOLVE_PROXY": CURLE_COULDNT_RESOLVE_PROXY.rawValue, "CURLE_COULDNT_RESOLVE_HOST": CURLE_COULDNT_RESOLVE_HOST.rawValue,
            "CURLE_COULDNT_CONNECT": CURLE_COULDNT_CONNECT.rawValue, "CURLE_WEIRD_SERVER_REPLY": CURLE_WEIRD_SERVER_REPLY.rawValue,
            "CURLE_PARTIAL_FILE": CURLE_PARTIAL_FILE.rawValue, "CURLE_WRITE_ERROR": CURLE_WRITE_ERROR.rawValue,
            "CURLE_OUT_OF_MEMORY": CURLE_OUT_OF_MEMORY.rawValue, "CURLE_OPERATION_TIMEDOUT": CURLE_OPERATION_TIMEDOUT.rawValue,
            "CURLE_SSL_CONNECT_ERROR": CURLE_SSL_CONNECT_ERROR.rawValue, "CURLE_ABORTED_BY_CALLBACK": CURLE_ABORTED_BY_CALLBACK.rawValue,
            "CURLE_BAD_FUNCTION_ARGUMENT": CURLE_BAD_FUNCTION_ARGUMENT.rawValue, "CURLE_TOO_MANY_REDIRECTS": CURLE_TOO_MANY_REDIRECTS.rawValue,
            "CURLE_UNKNOWN_OPTION": CURLE_UNKNOWN_OPTION.rawValue, "CURLE_GOT_NOTHING": CURLE_GOT_NOTHING.rawValue,
            "CURLE_SEND_ERROR": CURLE_SEND_ERROR.rawValue, "CURLE_RECV_ERROR": CURLE_RECV_ERROR.rawValue,
            "CURLE_PEER_FAILED_VERIFICATION": CURLE_PEER_FAILED_VERIFICATION.rawValue,
            "CURLE_BAD_CONTENT_ENCODING": CURLE_BAD_CONTENT_ENCODING.rawValue, "CURLE_FILESIZE_EXCEEDED": CURLE_FILESIZE_EXCEEDED.rawValue,
            "CURLE_HTTP2_STREAM": CURLE_HTTP2_STREAM.rawValue, "CURLE_PROXY": CURLE_PROXY.rawValue,
        ]
        #expect(CurlError.Code.named.count == expected.count)
        for (code, cName) in CurlError.Code.named {
            #expect(expected[cName] == code.rawValue, "\(cName)")
        }
        #expect(CurlError.Code(rawValue: 9999).cName == "CURLcode 9999")
    }
}

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func hexMatchesFIPSVectors(input: String, hex: String) {
        #expect(SHA256.hex(of: Array(input.utf8)) == hex)
    }
}

@Suite struct RobotsRulesTests {
    @Test func longestMatchWinsAndWildcardsWork() {
        let rules = RobotsRules(parsing: Array("""
        User-agent: *
        Disallow: /s/
        Allow: /s/open
        Disallow: /*.pdf$
        User-agent: smugglewatch
        User-agent: other
        Disallow: /only-us
        """.utf8))
        #expect(rules.allows("/s/channel", userAgent: "Mozilla/5.0") == false)
        #expect(rules.allows("/s/open_demo", userAgent: "Mozilla/5.0") == true)
        #expect(rules.allows("/a/b.pdf", userAgent: "Mozilla/5.0") == false)
        #expect(rules.allows("/a/b.pdf?x", userAgent: "Mozilla/5.0") == true)
        #expect(rules.allows("/s/channel", userAgent: "SmuggleWatch/0.1 (+https://x)") == true)
        #expect(rules.allows("/only-us/x", userAgent: "SmuggleWatch/0.1") == false)
        #expect(RobotsRules(parsing: Array("garbage\n\u{0}\u{1}".utf8)).allows("/", userAgent: "x"))
    }
}
