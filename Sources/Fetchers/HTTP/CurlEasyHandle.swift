internal import CCurl

/// What one transfer should do. Plain Swift values; `CurlEasyHandle` turns them into options.
struct CurlTransferOptions: Sendable {
    var url: String
    var userAgent: String
    var connectTimeoutMilliseconds: Int
    var totalTimeoutMilliseconds: Int
    var maxRedirects: Int
    var maxResponseBytes: Int
    /// Extra request header lines, `Name: value`.
    var headers: [String] = []
    /// `http://host:port`, `socks5h://host:port`, … or nil for none (libcurl then ignores `*_proxy` variables too).
    var proxy: String?
    /// A Netscape-format cookies file to read (never written back).
    var cookieFile: String?
    /// POSTed when set.
    var postBody: [UInt8]?
}

/// What one transfer produced.
struct CurlTransfer: Sendable {
    var status: Int
    var effectiveURL: String
    /// Response headers of the final response, names as sent.
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var redirectCount: Int
}

/// Why a transfer failed: the curl error and whether our size cap caused it.
struct CurlTransferFailure: Error, Sendable {
    var error: CurlError
    var exceededMaxSize: Bool
}

/// Receives body and header bytes from libcurl's callbacks.
private final class TransferSink {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var maxBytes: Int = .max
    var exceeded = false

    func reset(maxBytes: Int) {
        body.removeAll(keepingCapacity: body.capacity <= 1 << 20)
        headers.removeAll()
        self.maxBytes = maxBytes
        exceeded = false
    }
}

/// Turns a `CURLcode` into a Swift error. The only place that happens.
///
/// - Throws: `CurlError` naming `function` and the error buffer's text.
private func check(_ code: CURLcode, _ function: String, errorBuffer: UnsafeMutablePointer<CChar>?) throws(CurlError) {
    guard code != CURLE_OK else { return }
    var detail = ""
    if let errorBuffer, errorBuffer.pointee != 0 { detail = String(cString: errorBuffer) }
    if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
    throw CurlError(code: CurlError.Code(rawValue: code.rawValue), function: function, detail: detail)
}

/// Makes sure `curl_global_init` ran once before any handle exists.
private let curlGlobalInit: Void = {
    _ = curl_global_init(Int(CURL_GLOBAL_ALL))
}()

/// One libcurl easy handle, reused across transfers so connections stay alive.
///
/// Not thread-safe: one thread uses a handle at a time (each pool worker owns one).
/// The corresponding C type is `CURL *`; related documentation: <https://curl.se/libcurl/c/libcurl-easy.html>.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let sink = TransferSink()

    /// The libcurl version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.x zlib/1.2.13`.
    static var versionDescription: String { String(cString: curl_version()) }

    init() throws(CurlError) {
        _ = curlGlobalInit
        guard let h = curl_easy_init() else {
            throw CurlError(code: .outOfMemory, function: "curl_easy_init", detail: "libcurl could not create a handle")
        }
        handle = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one blocking transfer (`curl_easy_perform`) and returns the response.
    ///
    /// - Throws: `CurlTransferFailure` when libcurl fails; `exceededMaxSize` says the size cap stopped it.
    func perform(_ o: CurlTransferOptions) throws(CurlTransferFailure) -> CurlTransfer {
        curl_easy_reset(handle)
        sink.reset(maxBytes: o.maxResponseBytes)
        errorBuffer.pointee = 0
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { if let headerList { curl_slist_free_all(headerList) } }
        do throws(CurlError) {
            try configure(o, headerList: &headerList)
        } catch {
            throw CurlTransferFailure(error: error, exceededMaxSize: false)
        }
        let code = curl_easy_perform(handle)
        if code != CURLE_OK {
            let exceeded = sink.exceeded || code == CURLE_FILESIZE_EXCEEDED
            do throws(CurlError) {
                try check(code, "curl_easy_perform", errorBuffer: errorBuffer)
            } catch {
                var e = error
                if exceeded { e.detail = "response larger than \(o.maxResponseBytes) bytes" }
                throw CurlTransferFailure(error: e, exceededMaxSize: exceeded)
            }
        }
        var status = 0
        var redirects = 0
        var url: UnsafeMutablePointer<CChar>? = nil
        do throws(CurlError) {
            try check(ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "curl_easy_getinfo(RESPONSE_CODE)", errorBuffer: errorBuffer)
            try check(ccurl_getinfo_long(handle, CURLINFO_REDIRECT_COUNT, &redirects), "curl_easy_getinfo(REDIRECT_COUNT)", errorBuffer: errorBuffer)
            try check(ccurl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &url), "curl_easy_getinfo(EFFECTIVE_URL)", errorBuffer: errorBuffer)
        } catch {
            throw CurlTransferFailure(error: error, exceededMaxSize: false)
        }
        let body = sink.body
        sink.body = []
        return CurlTransfer(status: status, effectiveURL: url.map { String(cString: $0) } ?? o.url,
                            headers: sink.headers, body: body, redirectCount: redirects)
    }

    private func configure(_ o: CurlTransferOptions, headerList: inout UnsafeMutablePointer<curl_slist>?) throws(CurlError) {
        try setString(CURLOPT_URL, o.url)
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "curl_easy_setopt(ERRORBUFFER)", errorBuffer: nil)
        try setLong(CURLOPT_NOSIGNAL, 1)
        try setString(CURLOPT_PROTOCOLS_STR, "http,https")
        try setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try setLong(CURLOPT_FOLLOWLOCATION, o.maxRedirects > 0 ? 1 : 0)
        try setLong(CURLOPT_MAXREDIRS, o.maxRedirects)
        try setLong(CURLOPT_CONNECTTIMEOUT_MS, o.connectTimeoutMilliseconds)
        try setLong(CURLOPT_TIMEOUT_MS, o.totalTimeoutMilliseconds)
        try setString(CURLOPT_USERAGENT, o.userAgent)
        // "" asks for every encoding this libcurl decodes (gzip, deflate, br, zstd when built in);
        // the write callback then sees decoded bytes, so the size cap also stops decompression bombs.
        try setString(CURLOPT_ACCEPT_ENCODING, "")
        try check(ccurl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(o.maxResponseBytes)),
                  "curl_easy_setopt(MAXFILESIZE_LARGE)", errorBuffer: errorBuffer)
        // Proxy: an explicit empty string disables the *_proxy environment variables.
        try setString(CURLOPT_PROXY, o.proxy ?? "")
        if let cookieFile = o.cookieFile { try setString(CURLOPT_COOKIEFILE, cookieFile) }
        if let body = o.postBody {
            // POSTFIELDSIZE first: COPYPOSTFIELDS then copies exactly that many bytes.
            try check(ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)),
                      "curl_easy_setopt(POSTFIELDSIZE_LARGE)", errorBuffer: errorBuffer)
            let code = body.withUnsafeBytes { raw in
                ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(errorBuffer)))
            }
            try check(code, "curl_easy_setopt(COPYPOSTFIELDS)", errorBuffer: errorBuffer)
        }
        for line in o.headers { headerList = curl_slist_append(headerList, line) }
        if let headerList {
            try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "curl_easy_setopt(HTTPHEADER)", errorBuffer: errorBuffer)
        }
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer), "curl_easy_setopt(WRITEDATA)", errorBuffer: errorBuffer)
        try check(ccurl_setopt_data_function(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let sink = Unmanaged<TransferSink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if sink.body.count + n > sink.maxBytes {
                sink.exceeded = true
                return 0  // makes libcurl stop with CURLE_WRITE_ERROR
            }
            if let data {
                data.withMemoryRebound(to: UInt8.self, capacity: n) {
                    sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
                }
            }
            return n
        }, "curl_easy_setopt(WRITEFUNCTION)", errorBuffer: errorBuffer)
        try check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer), "curl_easy_setopt(HEADERDATA)", errorBuffer: errorBuffer)
        try check(ccurl_setopt_data_function(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let sink = Unmanaged<TransferSink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            guard let data else { return n }
            let line = data.withMemoryRebound(to: UInt8.self, capacity: n) { UnsafeBufferPointer(start: $0, count: n) }
            if line.starts(with: "HTTP/".utf8) {
                sink.headers.removeAll()  // a new response (after a redirect or a 100 Continue)
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: line[..<colon], as: UTF8.self)
                var value = line[(colon + 1)...]
                while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
                while let l = value.last, l == 0x0A || l == 0x0D || l == 0x20 || l == 0x09 { value = value.dropLast() }
                sink.headers.append((name, String(decoding: value, as: UTF8.self)))
            }
            return n
        }, "curl_easy_setopt(HEADERFUNCTION)", errorBuffer: errorBuffer)
    }

    private func setLong(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(ccurl_setopt_long(handle, option, value), "curl_easy_setopt(\(option.rawValue))", errorBuffer: errorBuffer)
    }

    private func setString(_ option: CURLoption, _ value: String) throws(CurlError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go away afterwards.
        try check(value.withCString { ccurl_setopt_string(handle, option, $0) }, "curl_easy_setopt(\(option.rawValue))", errorBuffer: errorBuffer)
    }
}
