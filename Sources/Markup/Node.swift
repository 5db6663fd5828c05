/// A node of a parsed ``XMLDocument`` or ``HTMLDocument``: an element, text, attribute, comment and so on.
///
/// A node keeps its document alive, and reading it never touches libxml2's C types.
///
/// ```swift
/// let doc = try XMLDocument(bytes: Array("<tt><p begin='1s'>Hi<br/>there</p></tt>".utf8), url: "a.ttml")
/// let p = doc.root.children[0]
/// p.name                    // "p"
/// p.attribute("begin")      // "1s"
/// p.text                    // "Hithere"
/// ```
public struct Node: Hashable {
    /// What kind of libxml2 node this is.
    public enum Kind: Hashable, Sendable {
        case element, text, cdata, comment, attribute, entityReference, processingInstruction, document, other
    }

    /// An attribute of an element.
    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var namespaceURI: String?
        public var value: String
    }

    let tree: LibXMLTree
    let pointer: UnsafeMutableRawPointer

    init(tree: LibXMLTree, pointer: UnsafeMutableRawPointer) {
        self.tree = tree
        self.pointer = pointer
    }

    public static func == (a: Node, b: Node) -> Bool { a.pointer == b.pointer }
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }

    public var kind: Kind { tree.kind(pointer) }
    /// The local name (`p` for `<tt:p>`); `text` for text nodes, `""` for the document.
    public var name: String { tree.name(pointer) }
    /// The namespace URI of an element or attribute, or `nil`.
    public var namespaceURI: String? { tree.namespaceURI(pointer) }
    /// The namespace prefix as written (`tt` for `<tt:p>`), or `nil`.
    public var prefix: String? { tree.prefix(pointer) }
    /// The 1-based source line, as recorded by libxml2 (0 when unknown).
    public var line: Int { tree.line(pointer) }
    public var isElement: Bool { kind == .element }

    public var parent: Node? { tree.parent(pointer).map { Node(tree: tree, pointer: $0) } }
    /// Child elements in document order.
    public var children: [Node] { tree.children(pointer, elementsOnly: true).map { Node(tree: tree, pointer: $0) } }
    /// All child nodes (elements, text, comments, …) in document order.
    public var childNodes: [Node] { tree.children(pointer, elementsOnly: false).map { Node(tree: tree, pointer: $0) } }

    /// The element's attributes in document order.
    public var attributes: [Attribute] {
        tree.attributes(pointer).map {
            Attribute(name: tree.name($0), namespaceURI: tree.namespaceURI($0), value: tree.text($0))
        }
    }

    /// The value of the attribute with this local name and namespace URI (`nil` means no namespace).
    public func attribute(_ name: String, namespace: String? = nil) -> String? {
        tree.attribute(pointer, name: name, namespace: namespace)
    }

    /// The text content: all descendant text in document order (for a text node or attribute, its value).
    ///
    /// Internal entities are replaced one level deep within a 1 MiB budget; external entities are never read.
    /// - Complexity: O(n) in the number of descendant nodes.
    public var text: String { tree.text(pointer) }

    /// Child elements with this local name (and namespace URI, when given).
    public func children(named name: String, namespace: String? = nil) -> [Node] {
        children.filter { $0.name == name && (namespace == nil || $0.namespaceURI == namespace) }
    }

    /// The first child element with this local name (and namespace URI, when given).
    public func firstChild(named name: String, namespace: String? = nil) -> Node? {
        children.first { $0.name == name && (namespace == nil || $0.namespaceURI == namespace) }
    }

    /// Evaluates an XPath 1.0 expression with this node as the context node.
    ///
    /// - Parameters:
    ///   - expression: for example `"./item/title"` or `"string(@href)"`.
    ///   - namespaces: prefixes to use in the expression, mapped to namespace URIs.
    /// - Throws: ``MarkupError`` with code `.invalidXPath` when the expression is invalid.
    public func xpath(_ expression: String, namespaces: [String: String] = [:]) throws(MarkupError) -> XPathValue {
        try tree.evaluate(expression, at: pointer, namespaces: namespaces)
    }

    /// The nodes an XPath expression selects from this node (empty when it yields no node-set).
    public func nodes(_ expression: String, namespaces: [String: String] = [:]) throws(MarkupError) -> [Node] {
        try xpath(expression, namespaces: namespaces).nodes
    }
}

/// The value of an XPath expression, in Swift types.
public enum XPathValue {
    case nodes([Node])
    case string(String)
    case number(Double)
    case boolean(Bool)

    /// The selected nodes, or `[]` for a non-node-set value.
    public var nodes: [Node] {
        if case .nodes(let nodes) = self { return nodes }
        return []
    }

    /// The XPath string-value: the first node's text for a node-set, the value otherwise.
    public var string: String {
        switch self {
        case .nodes(let nodes): return nodes.first?.text ?? ""
        case .string(let s): return s
        case .number(let d):
            if d.isNaN { return "NaN" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
            return String(d)
        case .boolean(let b): return b ? "true" : "false"
        }
    }

    /// Each selected node's text (for `//meta/@content`, the attribute values); a scalar value gives one string.
    public var strings: [String] {
        if case .nodes(let nodes) = self { return nodes.map(\.text) }
        return [string]
    }
}
