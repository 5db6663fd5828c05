/// A parsed HTML document: libxml2's forgiving HTML parser, recovering from tag soup, with no network access.
///
/// The encoding is, in order: a byte-order mark; `encoding` (e.g. the HTTP `charset`); `<meta charset>` in the
/// first 4 KiB; otherwise UTF-8 when the bytes are valid UTF-8, else Windows-1252. A declared Latin-1/Windows-1252
/// page whose bytes are valid multi-byte UTF-8 is read as UTF-8.
///
/// ```swift
/// let page = try HTMLDocument(bytes: bytes, url: "https://example.org/post/1")
/// let title = try page.xpath("string(//meta[@property='og:title']/@content)").string
/// ```
///
/// The corresponding C function is `htmlCtxtReadMemory` with
/// `HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING`.
public struct HTMLDocument {
    let tree: LibXMLTree

    /// The URL or file path given when parsing, used in error messages.
    public var url: String { tree.url }

    /// Parses HTML bytes.
    ///
    /// - Parameters:
    ///   - bytes: the raw page.
    ///   - url: the URL or file path the bytes came from; named in errors.
    ///   - encoding: a text encoding name from outside the document (HTTP `Content-Type` charset), or `nil` to detect.
    ///   - maximumSize: pages larger than this are refused. The default is 256 MiB.
    /// - Throws: ``MarkupError`` (`.tooLarge`, `.unsupportedEncoding`, or `.malformedDocument` if libxml2 builds no tree).
    public init(bytes: some Collection<UInt8>, url: String, encoding: String? = nil,
                maximumSize: Int = XMLDocument.defaultMaximumSize) throws(MarkupError) {
        guard bytes.count <= maximumSize else {
            throw MarkupError(code: .tooLarge, message: "HTML page '\(url)' is \(bytes.count) bytes, over the \(maximumSize)-byte limit. Raise maximumSize if it is trusted.", url: url)
        }
        let result: Result<LibXMLTree, MarkupError> = withContiguousBytes(bytes) { buffer in
            Result { () throws(MarkupError) in try LibXMLTree.parseHTML(buffer, url: url, encoding: encoding) }
        }
        tree = try result.get()
    }

    /// The document node (parent of `<html>`).
    public var document: Node { Node(tree: tree, pointer: tree.documentNode) }

    /// The root element (usually `<html>`), or `nil` for an empty page.
    public var root: Node? { tree.root.map { Node(tree: tree, pointer: $0) } }

    /// Evaluates an XPath 1.0 expression against the whole page.
    /// - Throws: ``MarkupError`` with code `.invalidXPath`.
    public func xpath(_ expression: String, namespaces: [String: String] = [:]) throws(MarkupError) -> XPathValue {
        try tree.evaluate(expression, at: nil, namespaces: namespaces)
    }
}
