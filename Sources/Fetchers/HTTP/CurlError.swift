/// A libcurl failure: the `CURLcode`, its C name, and the text of `CURLOPT_ERRORBUFFER`.
///
/// Match on codes with `catch CurlError.Code.operationTimedOut` or `error.code == .couldNotConnect`.
/// Each code's doc names the C constant, and a test checks that the raw values match libcurl's headers.
public struct CurlError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// The URL uses a scheme libcurl was not allowed or built to use. The C code is `CURLE_UNSUPPORTED_PROTOCOL`.
        public static var unsupportedProtocol: Code { Code(rawValue: 1) }
        /// The URL is not properly formatted. The C code is `CURLE_URL_MALFORMAT`.
        public static var urlMalformed: Code { Code(rawValue: 3) }
        /// The proxy host name could not be resolved. The C code is `CURLE_COULDNT_RESOLVE_PROXY`.
        public static var couldNotResolveProxy: Code { Code(rawValue: 5) }
        /// The host name could not be resolved. The C code is `CURLE_COULDNT_RESOLVE_HOST`.
        public static var couldNotResolveHost: Code { Code(rawValue: 6) }
        /// Connecting to the host or proxy failed. The C code is `CURLE_COULDNT_CONNECT`.
        public static var couldNotConnect: Code { Code(rawValue: 7) }
        /// The server sent something that is not HTTP. The C code is `CURLE_WEIRD_SERVER_REPLY`.
        public static var weirdServerReply: Code { Code(rawValue: 8) }
        /// The transfer ended before the announced size. The C code is `CURLE_PARTIAL_FILE`.
        public static var partialFile: Code { Code(rawValue: 18) }
        /// The write callback refused the data (used for the response size cap). The C code is `CURLE_WRITE_ERROR`.
        public static var writeError: Code { Code(rawValue: 23) }
        /// Out of memory. The C code is `CURLE_OUT_OF_MEMORY`.
        public static var outOfMemory: Code { Code(rawValue: 27) }
        /// The connect or total timeout passed. The C code is `CURLE_OPERATION_TIMEDOUT`.
        public static var operationTimedOut: Code { Code(rawValue: 28) }
        /// The TLS handshake failed. The C code is `CURLE_SSL_CONNECT_ERROR`.
        public static var sslConnectError: Code { Code(rawValue: 35) }
        /// A callback aborted the transfer. The C code is `CURLE_ABORTED_BY_CALLBACK`.
        public static var abortedByCallback: Code { Code(rawValue: 42) }
        /// An option got a bad argument. The C code is `CURLE_BAD_FUNCTION_ARGUMENT`.
        public static var badFunctionArgument: Code { Code(rawValue: 43) }
        /// More redirects than `CURLOPT_MAXREDIRS`. The C code is `CURLE_TOO_MANY_REDIRECTS`.
        public static var tooManyRedirects: Code { Code(rawValue: 47) }
        /// This libcurl does not know the option. The C code is `CURLE_UNKNOWN_OPTION`.
        public static var unknownOption: Code { Code(rawValue: 48) }
        /// The server closed the connection without a reply. The C code is `CURLE_GOT_NOTHING`.
        public static var gotNothing: Code { Code(rawValue: 52) }
        /// Sending data failed. The C code is `CURLE_SEND_ERROR`.
        public static var sendError: Code { Code(rawValue: 55) }
        /// Receiving data failed. The C code is `CURLE_RECV_ERROR`.
        public static var receiveError: Code { Code(rawValue: 56) }
        /// The server certificate did not verify. The C code is `CURLE_PEER_FAILED_VERIFICATION`.
        public static var peerFailedVerification: Code { Code(rawValue: 60) }
        /// The content encoding could not be decoded. The C code is `CURLE_BAD_CONTENT_ENCODING`.
        public static var badContentEncoding: Code { Code(rawValue: 61) }
        /// The announced size is over `CURLOPT_MAXFILESIZE_LARGE`. The C code is `CURLE_FILESIZE_EXCEEDED`.
        public static var fileSizeExceeded: Code { Code(rawValue: 63) }
        /// An HTTP/2 stream error. The C code is `CURLE_HTTP2_STREAM`.
        public static var http2Stream: Code { Code(rawValue: 92) }
        /// The proxy handshake failed. The C code is `CURLE_PROXY`.
        public static var proxy: Code { Code(rawValue: 97) }

        /// Every named code with its C name, for messages and the mapping test.
        public static let named: [(code: Code, cName: String)] = [
            (.unsupportedProtocol, "CURLE_UNSUPPORTED_PROTOCOL"), (.urlMalformed, "CURLE_URL_MALFORMAT"),
            (.couldNotResolveProxy, "CURLE_COULDNT_RESOLVE_PROXY"), (.couldNotResolveHost, "CURLE_COULDNT_RESOLVE_HOST"),
            (.couldNotConnect, "CURLE_COULDNT_CONNECT"), (.weirdServerReply, "CURLE_WEIRD_SERVER_REPLY"),
            (.partialFile, "CURLE_PARTIAL_FILE"), (.writeError, "CURLE_WRITE_ERROR"),
            (.outOfMemory, "CURLE_OUT_OF_MEMORY"), (.operationTimedOut, "CURLE_OPERATION_TIMEDOUT"),
            (.sslConnectError, "CURLE_SSL_CONNECT_ERROR"), (.abortedByCallback, "CURLE_ABORTED_BY_CALLBACK"),
            (.badFunctionArgument, "CURLE_BAD_FUNCTION_ARGUMENT"), (.tooManyRedirects, "CURLE_TOO_MANY_REDIRECTS"),
            (.unknownOption, "CURLE_UNKNOWN_OPTION"), (.gotNothing, "CURLE_GOT_NOTHING"),
            (.sendError, "CURLE_SEND_ERROR"), (.receiveError, "CURLE_RECV_ERROR"),
            (.peerFailedVerification, "CURLE_PEER_FAILED_VERIFICATION"),
            (.badContentEncoding, "CURLE_BAD_CONTENT_ENCODING"), (.fileSizeExceeded, "CURLE_FILESIZE_EXCEEDED"),
            (.http2Stream, "CURLE_HTTP2_STREAM"), (.proxy, "CURLE_PROXY"),
        ]

        /// The C name (`CURLE_OPERATION_TIMEDOUT`), or `CURLcode <n>` for codes without a Swift name.
        public var cName: String {
            Code.named.first { $0.code == self }?.cName ?? "CURLcode \(rawValue)"
        }

        public var description: String { cName }

        /// Lets callers write `catch CurlError.Code.operationTimedOut`.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? CurlError)?.code == code
        }
    }

    public var code: Code
    /// The libcurl function that failed, e.g. `curl_easy_perform`.
    public var function: String
    /// `CURLOPT_ERRORBUFFER` or `curl_easy_strerror`, read right after the failing call.
    public var detail: String

    public init(code: Code, function: String, detail: String) {
        self.code = code
        self.function = function
        self.detail = detail
    }

    public var description: String { "\(function) failed with \(code.cName) (\(code.rawValue)): \(detail)" }
}
