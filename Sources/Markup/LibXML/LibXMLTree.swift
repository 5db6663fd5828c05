// The only file set that imports libxml2: everything above it sees Swift values and opaque node handles.
internal import CLibXML2

/// Owns one libxml2 document (`xmlDocPtr`) and answers questions about its nodes in Swift values.
///
/// Nodes are passed around as `UnsafeMutableRawPointer` so that no file outside `LibXML/` needs the C module.
/// The tree is freed when the last ``Node`` or document referring to it goes away.
final class LibXMLTree {
    let document: xmlDocPtr
    let url: String

    private init(document: xmlDocPtr, url: String) {
        self.document = document
        self.url = url
    }

    deinit { xmlFreeDoc(document) }

    // MARK: Parsing

    /// libxml2's global set-up, done once: `xmlInitParser` and an external-entity loader that refuses everything,
    /// so no file or network resource is ever read while parsing, whatever the options.
    private static let initialized: Bool = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
        return true
    }()

    /// XML options: no network, no DTD loading or attribute defaults, entities left unexpanded (no `XML_PARSE_NOENT`),
    /// no XInclude, and libxml2's default size/depth limits kept (no `XML_PARSE_HUGE`). Errors are collected, not printed.
    static let xmlOptions: Int32 = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NONET.rawValue)

    static let htmlOptions: Int32 = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue)

    static func parseXML(_ bytes: UnsafeBufferPointer<UInt8>, url: String) throws(MarkupError) -> LibXMLTree {
        _ = initialized
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            throw MarkupError(code: .emptyDocument, message: "XML document '\(url)' is empty. Check that the source returned content.", url: url)
        }
        guard bytes.count < Int(Int32.max) else { throw tooLarge(bytes.count, url) }
        guard let context = xmlNewParserCtxt() else {
            throw MarkupError(code: .malformedDocument, message: "libxml2 could not allocate a parser for '\(url)'.", url: url)
        }
        defer { xmlFreeParserCtxt(context) }
        var options = xmlOptions
        let override = EncodingSniffer.xmlEncodingOverride(bytes)
        if override != nil { options |= Int32(XML_PARSE_IGNORE_ENC.rawValue) }
        let document: xmlDocPtr? = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            if let override {
                return xmlCtxtReadMemory(context, chars, Int32(bytes.count), url, override, options)
            }
            return xmlCtxtReadMemory(context, chars, Int32(bytes.count), url, nil, options)
        }
        // Read the context's error before it is freed (B4).
        let error = context.pointee.lastError
        guard let document, context.pointee.wellFormed != 0 else {
            if let document { xmlFreeDoc(document) }
            throw makeError(error, url: url, kind: "XML")
        }
        guard xmlDocGetRootElement(document) != nil else {
            xmlFreeDoc(document)
            throw MarkupError(code: .emptyDocument, message: "XML document '\(url)' has no root element. Check that the source is XML.", url: url)
        }
        return LibXMLTree(document: document, url: url)
    }

    /// Whether libxml2 (or iconv through it) knows an encoding. The handler it returns for an
    /// iconv encoding is allocated, so it is closed again here.
    static func encodingIsKnown(_ name: String) -> Bool {
        guard let handler = xmlFindCharEncodingHandler(name) else { return false }
        xmlCharEncCloseFunc(handler)
        return true
    }

    static func parseHTML(_ bytes: UnsafeBufferPointer<UInt8>, url: String, encoding: String?) throws(MarkupError) -> LibXMLTree {
        guard let context = htmlNewParserCtxt() else {
            throw MarkupError(code: .malformedDocument, message: "libxml2 could not allocate an HTML parser for '\(url)'.", url: url)
        }
        defer { htmlFreeParserCtxt(context) }
        let document = try readHTML(bytes, url: url, encoding: encoding, context: context)
        let error = context.pointee.lastError
        guard let document else { throw makeError(error, url: url, kind: "HTML") }
        return LibXMLTree(document: document, url: url)
    }

    /// `htmlCtxtReadMemory` on `context` after choosing the encoding (``EncodingSniffer``): shared by the tree and
    /// the event parser, so both read the same bytes the same way. Returns the document the context's SAX handler built.
    static func readHTML(_ bytes: UnsafeBufferPointer<UInt8>, url: String, encoding: String?,
                         context: htmlParserCtxtPtr) throws(MarkupError) -> htmlDocPtr? {
        _ = initialized
        guard bytes.count < Int(Int32.max) else { throw tooLarge(bytes.count, url) }
        var (name, skip) = EncodingSniffer.htmlEncoding(bytes, requested: encoding)
        if let requested = name, !Self.encodingIsKnown(requested) {
            if encoding != nil, encoding == requested {
                throw MarkupError(code: .unsupportedEncoding, message: "Text encoding '\(requested)' given for '\(url)' is not supported by libxml2/iconv. Pass a known encoding such as UTF-8 or windows-1252, or none to detect it.", url: url)
            }
            name = "windows-1252"
        }
        let body = UnsafeBufferPointer(rebasing: bytes[skip...])
        // libxml2 wants at least one byte; an empty page parses as an empty document.
        let space: [CChar] = [0x20]
        return space.withUnsafeBufferPointer { spacePointer in
            let (pointer, count): (UnsafePointer<CChar>, Int) =
                if let base = body.baseAddress, !body.isEmpty {
                    (UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), body.count)
                } else {
                    (spacePointer.baseAddress!, 1)
                }
            return htmlCtxtReadMemory(context, pointer, Int32(count), url, name, htmlOptions)
        }
    }

    private static func tooLarge(_ count: Int, _ url: String) -> MarkupError {
        MarkupError(code: .tooLarge, message: "Document '\(url)' is \(count) bytes, over the 2 GiB libxml2 limit. Split it or fetch a smaller resource.", url: url)
    }

    static func makeError(_ error: xmlError, url: String, kind: String) -> MarkupError {
        let detail = error.message.map { String(cString: $0).trimmingWhitespace() } ?? "unknown error"
        let line = error.line > 0 ? Int(error.line) : nil
        let at = line.map { " at line \($0)" } ?? ""
        let code = Int(error.code)
        let isLimit = code == Int(XML_ERR_ENTITY_LOOP.rawValue)
            || detail.contains("amplification") || detail.contains("limit")
        let advice = isLimit
            ? "The document exceeds libxml2's safety limits (entity expansion, depth or text size); it is refused on purpose."
            : "Check that the source really is \(kind) and is complete (not truncated)."
        return MarkupError(code: isLimit ? .tooLarge : .malformedDocument,
                           message: "Could not parse \(kind) '\(url)'\(at): \(detail). \(advice)",
                           url: url, line: line, libxml2Code: code)
    }

    // MARK: Nodes

    var root: UnsafeMutableRawPointer? { xmlDocGetRootElement(document).map { UnsafeMutableRawPointer($0) } }
    var documentNode: UnsafeMutableRawPointer { UnsafeMutableRawPointer(document) }

    @inline(__always) private func node(_ raw: UnsafeMutableRawPointer) -> xmlNodePtr { raw.assumingMemoryBound(to: xmlNode.self) }

    func kind(_ raw: UnsafeMutableRawPointer) -> Node.Kind {
        switch node(raw).pointee.type {
        case XML_ELEMENT_NODE: .element
        case XML_TEXT_NODE: .text
        case XML_CDATA_SECTION_NODE: .cdata
        case XML_COMMENT_NODE: .comment
        case XML_ATTRIBUTE_NODE: .attribute
        case XML_ENTITY_REF_NODE: .entityReference
        case XML_PI_NODE: .processingInstruction
        case XML_DOCUMENT_NODE, XML_HTML_DOCUMENT_NODE: .document
        default: .other
        }
    }

    func name(_ raw: UnsafeMutableRawPointer) -> String {
        guard let name = node(raw).pointee.name else { return "" }
        return String(cString: name)
    }

    func namespaceURI(_ raw: UnsafeMutableRawPointer) -> String? {
        let n = node(raw)
        guard n.pointee.type == XML_ELEMENT_NODE || n.pointee.type == XML_ATTRIBUTE_NODE,
              let ns = n.pointee.ns, let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    func prefix(_ raw: UnsafeMutableRawPointer) -> String? {
        let n = node(raw)
        guard n.pointee.type == XML_ELEMENT_NODE || n.pointee.type == XML_ATTRIBUTE_NODE,
              let ns = n.pointee.ns, let p = ns.pointee.prefix else { return nil }
        return String(cString: p)
    }

    func line(_ raw: UnsafeMutableRawPointer) -> Int { Int(xmlGetLineNo(node(raw))) }

    func parent(_ raw: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        node(raw).pointee.parent.map { UnsafeMutableRawPointer($0) }
    }

    /// Child nodes in document order; for an entity reference, none (its replacement text is in `text`).
    func children(_ raw: UnsafeMutableRawPointer, elementsOnly: Bool) -> [UnsafeMutableRawPointer] {
        let n = node(raw)
        switch n.pointee.type {
        case XML_ELEMENT_NODE, XML_DOCUMENT_NODE, XML_HTML_DOCUMENT_NODE, XML_ATTRIBUTE_NODE: break
        default: return []
        }
        var result: [UnsafeMutableRawPointer] = []
        var child = n.pointee.children
        while let c = child {
            if !elementsOnly || c.pointee.type == XML_ELEMENT_NODE { result.append(UnsafeMutableRawPointer(c)) }
            child = c.pointee.next
        }
        return result
    }

    func attributes(_ raw: UnsafeMutableRawPointer) -> [UnsafeMutableRawPointer] {
        let n = node(raw)
        guard n.pointee.type == XML_ELEMENT_NODE else { return [] }
        var result: [UnsafeMutableRawPointer] = []
        var attribute = n.pointee.properties
        while let a = attribute {
            result.append(UnsafeMutableRawPointer(a))
            attribute = a.pointee.next
        }
        return result
    }

    /// The attribute with this local name and namespace (`nil`: no namespace), or `nil`.
    func attribute(_ raw: UnsafeMutableRawPointer, name: String, namespace: String?) -> String? {
        let n = node(raw)
        guard n.pointee.type == XML_ELEMENT_NODE else { return nil }
        var attribute = n.pointee.properties
        while let a = attribute {
            attribute = a.pointee.next
            guard let aName = a.pointee.name, xmlStrEqual(aName, name) != 0 else { continue }
            let href = a.pointee.ns?.pointee.href
            switch (namespace, href) {
            case (nil, nil): break
            case let (want?, have?): if xmlStrEqual(have, want) == 0 { continue }
            default: continue
            }
            return text(UnsafeMutableRawPointer(a))
        }
        return nil
    }

    /// The most internal-entity text one `text` call may add, so a billion-laughs document stays harmless.
    static let entityExpansionBudget = 1 << 20

    /// The text content: descendant text and CDATA in document order. Internal entities are replaced by their declared
    /// text one level deep (no recursion), within ``entityExpansionBudget`` bytes; external entities are never read.
    ///
    /// Iterative, so deeply nested HTML cannot overflow the stack.
    /// - Complexity: O(n) in the number of descendant nodes.
    func text(_ raw: UnsafeMutableRawPointer) -> String {
        let start = node(raw)
        var bytes: [UInt8] = []
        var budget = Self.entityExpansionBudget
        func appendCString(_ p: UnsafePointer<xmlChar>?) {
            guard let p else { return }
            bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: Int(xmlStrlen(p))))
        }
        func appendEntity(_ n: xmlNodePtr) {
            guard let name = n.pointee.name, let entity = xmlGetDocEntity(document, name) else { return }
            switch entity.pointee.etype {
            case XML_INTERNAL_GENERAL_ENTITY, XML_INTERNAL_PREDEFINED_ENTITY:
                guard let content = entity.pointee.content else { return }
                let length = Int(xmlStrlen(content))
                guard length <= budget else { budget = 0; return }
                budget -= length
                bytes.append(contentsOf: UnsafeBufferPointer(start: content, count: length))
            default: return   // external entities are never loaded
            }
        }
        switch start.pointee.type {
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE, XML_COMMENT_NODE, XML_PI_NODE:
            appendCString(start.pointee.content)
            return String(decoding: bytes, as: UTF8.self)
        case XML_ENTITY_REF_NODE:
            appendEntity(start)
            return String(decoding: bytes, as: UTF8.self)
        default: break
        }
        // Pre-order walk without recursion, staying inside `start`.
        var current = start.pointee.children
        while let n = current {
            switch n.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: appendCString(n.pointee.content)
            case XML_ENTITY_REF_NODE: appendEntity(n)
            default: break
            }
            if n.pointee.type == XML_ELEMENT_NODE, let child = n.pointee.children {
                current = child
                continue
            }
            var climb: xmlNodePtr? = n
            current = nil
            while let c = climb, c != start {
                if let next = c.pointee.next { current = next; break }
                climb = c.pointee.parent
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: XPath

    func evaluate(_ expression: String, at raw: UnsafeMutableRawPointer?, namespaces: [String: String]) throws(MarkupError) -> XPathValue {
        guard let context = xmlXPathNewContext(document) else {
            throw MarkupError(code: .invalidXPath, message: "libxml2 could not allocate an XPath context for '\(url)'.", url: url)
        }
        defer { xmlXPathFreeContext(context) }
        // A no-op structured handler keeps libxml2 from printing XPath errors; the error stays in `lastError`.
        context.pointee.error = { _, _ in }
        for (prefix, uri) in namespaces { xmlXPathRegisterNs(context, prefix, uri) }
        if let raw { context.pointee.node = node(raw) }
        guard let result = xmlXPathEvalExpression(expression, context) else {
            let detail = context.pointee.lastError.message.map { String(cString: $0).trimmingWhitespace() } ?? "invalid expression"
            throw MarkupError(code: .invalidXPath, message: "XPath '\(expression)' failed on '\(url)': \(detail). Check the expression and its namespace prefixes.", url: url, libxml2Code: Int(context.pointee.lastError.code))
        }
        defer { xmlXPathFreeObject(result) }
        switch result.pointee.type {
        case XPATH_NODESET, XPATH_XSLT_TREE:
            let set = result.pointee.nodesetval
            let count = cxml_nodeset_count(set)
            var nodes: [Node] = []
            nodes.reserveCapacity(Int(count))
            for i in 0..<count {
                guard let n = cxml_nodeset_item(set, i) else { continue }
                // Namespace nodes in a node-set are copies owned by the result object; skip them.
                if n.pointee.type == XML_NAMESPACE_DECL { continue }
                nodes.append(Node(tree: self, pointer: UnsafeMutableRawPointer(n)))
            }
            return .nodes(nodes)
        case XPATH_BOOLEAN: return .boolean(result.pointee.boolval != 0)
        case XPATH_NUMBER: return .number(result.pointee.floatval)
        case XPATH_STRING: return .string(result.pointee.stringval.map { String(cString: $0) } ?? "")
        default: return .nodes([])
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let f = scalars.first, f.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
