internal import CLibXML2

/// libxml2's HTML parser with SAX callbacks instead of a tree (``HTMLEvents``).
///
/// The parse itself is the tree path's (`LibXMLTree.readHTML`: same encoding choice, options and
/// `htmlCtxtReadMemory`); only the SAX handler differs. What libxml2's tree builder (SAX2.c) would do with each
/// callback is mirrored here, so the events describe the tree `HTMLDocument` gets:
/// - element names lose a `prefix:` (`xmlSplitQName`), attributes keep theirs; a value-less boolean attribute's
///   value is its name;
/// - text with no open element is dropped;
/// - an element started after the root element has closed becomes the root's last child when the root is the
///   document's first node (no DOCTYPE, comment or PI before it), so the root's end is held back until then;
/// - past 256 open elements (`nodePush`) or a 10,000,000-byte text node (`xmlSAX2Characters`), the tree builder
///   halts the parser, and so does this.
final class LibXMLEventParser {
    private let handler: any HTMLEventHandler
    private let context: htmlParserCtxtPtr

    /// Open elements as libxml2's tree builder counts them (`ctxt->nodeNr`).
    private var open = 0
    private var startedDocument = false
    /// The document's first node: 0 none yet, 1 the root element, 2 a comment or PI.
    private var firstNode = 0
    private var sawDoctype = false
    private var rootHeldOpen = false
    /// The text node being appended to: 0 none, 1 text, 2 CDATA; and its length so far.
    private var runKind = 0
    private var runLength = 0

    /// `xmlParserMaxDepth` and `XML_MAX_TEXT_LENGTH` without `XML_PARSE_HUGE`.
    static let maximumDepth = 256
    static let maximumTextNode = 10_000_000

    private init(handler: any HTMLEventHandler, context: htmlParserCtxtPtr) {
        self.handler = handler
        self.context = context
    }

    static func isBooleanAttribute(_ name: UnsafePointer<UInt8>) -> Bool { htmlIsBooleanAttr(name) != 0 }

    static func parseHTML(_ bytes: UnsafeBufferPointer<UInt8>, url: String, encoding: String?,
                          handler: some HTMLEventHandler) throws(MarkupError) {
        guard let context = htmlNewParserCtxt() else {
            throw MarkupError(code: .malformedDocument, message: "libxml2 could not allocate an HTML parser for '\(url)'.", url: url)
        }
        defer { htmlFreeParserCtxt(context) }
        let parser = LibXMLEventParser(handler: handler, context: context)
        context.pointee.sax.pointee = saxHandler
        // `userData` stays the context (the callbacks' first argument); the parser hangs off `_private`.
        context.pointee._private = Unmanaged.passUnretained(parser).toOpaque()
        let document = try withExtendedLifetime(parser) { () throws(MarkupError) in
            try LibXMLTree.readHTML(bytes, url: url, encoding: encoding, context: context)
        }
        if let document { xmlFreeDoc(document) }  // none is built; defensive
        parser.finish()
        if !parser.startedDocument {
            throw LibXMLTree.makeError(context.pointee.lastError, url: url, kind: "HTML")
        }
    }

    nonisolated(unsafe) private static let saxHandler: htmlSAXHandler = {
        var h = htmlSAXHandler()
        h.initialized = 1
        h.startDocument = { ctx in LibXMLEventParser.parser(ctx).startedDocument = true }
        h.startElement = { ctx, name, attributes in
            guard let name else { return }
            LibXMLEventParser.parser(ctx).start(name, UnsafeRawPointer(attributes)?.assumingMemoryBound(to: UnsafePointer<UInt8>?.self))
        }
        h.endElement = { ctx, _ in LibXMLEventParser.parser(ctx).end() }
        h.characters = { ctx, text, length in
            guard let text, length > 0 else { return }
            LibXMLEventParser.parser(ctx).text(text, Int(length), kind: 1)
        }
        h.cdataBlock = { ctx, text, length in
            guard let text, length > 0 else { return }
            LibXMLEventParser.parser(ctx).text(text, Int(length), kind: 2)
        }
        h.comment = { ctx, _ in LibXMLEventParser.parser(ctx).otherNode() }
        h.processingInstruction = { ctx, _, _ in LibXMLEventParser.parser(ctx).otherNode() }
        h.internalSubset = { ctx, _, _, _ in LibXMLEventParser.parser(ctx).sawDoctype = true }
        return h
    }()

    @inline(__always)
    private static func parser(_ ctx: UnsafeMutableRawPointer?) -> LibXMLEventParser {
        let context = ctx.unsafelyUnwrapped.assumingMemoryBound(to: htmlParserCtxt.self)
        return Unmanaged<LibXMLEventParser>.fromOpaque(context.pointee._private.unsafelyUnwrapped).takeUnretainedValue()
    }

    /// Whether an element started with nothing open becomes the root's child (SAX2: `parent = doc->children`).
    private var attachesToRoot: Bool { firstNode == 1 && !sawDoctype }

    private func start(_ fullName: UnsafePointer<UInt8>, _ attributes: UnsafePointer<UnsafePointer<UInt8>?>?) {
        if open > Self.maximumDepth {
            xmlStopParser(context)
            return
        }
        if open == 0 {
            if rootHeldOpen && !attachesToRoot {
                rootHeldOpen = false
                handler.endElement()
            }
            if firstNode == 0 { firstNode = 1 }
        }
        open += 1
        runKind = 0
        handler.startElement(HTMLTag(name: Self.localName(fullName), attributes: attributes))
    }

    private func end() {
        guard open > 0 else { return }
        open -= 1
        runKind = 0
        if open == 0, !rootHeldOpen, attachesToRoot {
            rootHeldOpen = true
            return
        }
        handler.endElement()
    }

    private func text(_ text: UnsafePointer<UInt8>, _ length: Int, kind: Int) {
        guard open > 0 else { return }
        if runKind == kind {
            if runLength + length > Self.maximumTextNode {
                xmlStopParser(context)
                return
            }
            runLength += length
        } else {
            runKind = kind
            runLength = length
        }
        handler.text(UnsafeBufferPointer(start: text, count: length))
    }

    private func otherNode() {
        if open == 0 {
            if firstNode == 0 { firstNode = 2 }
        } else {
            runKind = 0
        }
    }

    /// Closes what is still open (the parser was halted, or the root was held open).
    private func finish() {
        while open > 0 {
            open -= 1
            handler.endElement()
        }
        if rootHeldOpen {
            rootHeldOpen = false
            handler.endElement()
        }
    }

    /// The local part of an element name, as `xmlSplitQName` gives it: after the first `:` unless the name starts
    /// or ends with it.
    static func localName(_ name: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        if name[0] == 0x3A { return name }
        var i = 0
        while name[i] != 0 && name[i] != 0x3A { i += 1 }
        if name[i] == 0 || name[i + 1] == 0 { return name }
        return name + i + 1
    }
}
