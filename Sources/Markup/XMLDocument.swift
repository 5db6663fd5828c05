/// A parsed XML document, safe for hostile input.
///
/// Parsing never touches the network or the file system: no DTD is loaded, external entities are neither read nor
/// expanded (libxml2's external-entity loader is replaced by one that refuses everything), internal entities are not
/// substituted by the parser, and libxml2's default depth, text-size and entity-amplification limits stay on (no
/// `XML_PARSE_HUGE`). An XXE document parses with the reference left empty; a billion-laughs document is refused or
/// yields at most 1 MiB of entity text per ``Node/text`` call.
///
/// Encodings: a byte-order mark (UTF-8, UTF-16) or the XML declaration is followed, except that a declared Latin-1
/// document whose bytes are valid multi-byte UTF-8 is read as UTF-8, and undeclared or UTF-8-declared bytes that
/// are not valid UTF-8 are read as ISO-8859-1.
///
/// ```swift
/// let doc = try XMLDocument(bytes: bytes, url: "https://example.org/feed.xml")
/// let titles = try doc.xpath("//item/title").strings
/// ```
///
/// The corresponding C function is `xmlCtxtReadMemory`, with `XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING`.
public struct XMLDocument {
    let tree: LibXMLTree

    /// The URL or file path given when parsing, used in error messages.
    public var url: String { tree.url }

    /// The default largest document accepted: 256 MiB.
    public static let defaultMaximumSize = 256 << 20

    /// Parses XML bytes.
    ///
    /// - Parameters:
    ///   - bytes: the raw document, in any encoding libxml2 can detect.
    ///   - url: the URL or file path the bytes came from; named in errors, used as the base URL.
    ///   - maximumSize: documents larger than this are refused without parsing. The default is 256 MiB.
    /// - Throws: ``MarkupError`` (`.malformedDocument` with the line, `.emptyDocument`, `.tooLarge`).
    public init(bytes: some Collection<UInt8>, url: String, maximumSize: Int = XMLDocument.defaultMaximumSize) throws(MarkupError) {
        guard bytes.count <= maximumSize else {
            throw MarkupError(code: .tooLarge, message: "XML document '\(url)' is \(bytes.count) bytes, over the \(maximumSize)-byte limit. Raise maximumSize if it is trusted.", url: url)
        }
        let result: Result<LibXMLTree, MarkupError> = withContiguousBytes(bytes) { buffer in
            Result { () throws(MarkupError) in try LibXMLTree.parseXML(buffer, url: url) }
        }
        tree = try result.get()
    }

    /// The root element.
    public var root: Node { Node(tree: tree, pointer: tree.root!) }

    /// Evaluates an XPath 1.0 expression against the whole document.
    /// - Throws: ``MarkupError`` with code `.invalidXPath`.
    public func xpath(_ expression: String, namespaces: [String: String] = [:]) throws(MarkupError) -> XPathValue {
        try tree.evaluate(expression, at: nil, namespaces: namespaces)
    }

    /// Runs `body` with the root element. The node is valid only during the closure unless copied out.
    public func withRootElement<R>(_ body: (Node) throws -> R) rethrows -> R { try body(root) }
}

/// Calls `body` with the bytes' contiguous storage, copying only when the collection has none.
@inline(__always)
func withContiguousBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let r = bytes.withContiguousStorageIfAvailable(body) { return r }
    return Array(bytes).withUnsafeBufferPointer(body)
}
