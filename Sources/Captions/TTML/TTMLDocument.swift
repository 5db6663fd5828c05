public import Posts
import Markup

/// A TTML document (TTML1/TTML2, DFXP, IMSC 1/1.1/1.2/1.3), parsed through libxml2 with no network and no entity
/// expansion (see `Markup.XMLDocument`).
///
/// Timing follows the TTML timing model: `begin`, `end` and `dur` on `body`, `div`, `p`, `span`, `set` and `region`,
/// `par` (default) and `seq` time containers, clock and offset time expressions with `ttp:frameRate`,
/// `ttp:frameRateMultiplier`, `ttp:subFrameRate` and `ttp:tickRate`, and each element clipped to its parent.
/// Every `p` gives one cue per stretch of time in which its visible text stays the same (so nested timed `span`s are
/// honoured); `br` becomes a line break; whitespace is collapsed unless `xml:space="preserve"`; `metadata` is ignored.
///
/// ```swift
/// let ttml = try TTMLDocument(bytes: bytes, url: "clip.de.ttml")
/// let cues: [Cue] = ttml.captionCues(track: "de")
/// ```
public struct TTMLDocument: Sendable, Hashable {
    /// One timed stretch of a paragraph's text.
    public struct Paragraph: Sendable, Hashable {
        /// Seconds.
        public var begin: Double
        /// Seconds; `.infinity` when the paragraph never ends.
        public var end: Double
        public var text: String
        /// Source line of the `p` element.
        public var sourceLine: Int
    }

    public var paragraphs: [Paragraph]
    /// The media times at which the presentation may change (element begins and ends, `set` animations, regions),
    /// sorted and unique, starting with 0: the times of TTML's intermediate synchronic documents.
    public var changePoints: [Double]
    public var url: String

    /// Parses TTML bytes.
    ///
    /// - Throws: ``CaptionError`` with code `.malformedDocument` when the XML is not well-formed or the root is not `tt`.
    public init(bytes: some Collection<UInt8>, url: String) throws(CaptionError) {
        let document = try XMLDocument.caption(bytes: bytes, url: url, format: "TTML")
        try self.init(document: document, url: url)
    }

    init(document: XMLDocument, url: String) throws(CaptionError) {
        let root = document.root
        guard root.name == "tt" else {
            throw CaptionError.at(.malformedDocument, url, line: root.line, "the root element is <\(root.name)>, not <tt>",
                                  "Check that this is a TTML/DFXP document.")
        }
        // Two passes: paragraphs with every element clipped to its parent (what is shown), and change points from the
        // unclipped intervals, as imscJS reports media time events.
        let timing = TTMLBuilder.timingParameters(root)
        let head = root.children.first { TTMLBuilder.isTT($0) && $0.name == "head" }
        let body = root.children.first { TTMLBuilder.isTT($0) && $0.name == "body" }
        var shown = TTMLBuilder(timing: timing, clip: true)
        var events = TTMLBuilder(timing: timing, clip: false)
        events.events.insert(0)
        if let head { events.processRegions(in: head) }
        if let body {
            shown.process(body, parentBegin: 0, parentEnd: .infinity, syncbase: 0, inSeq: false, preserve: false)
            events.process(body, parentBegin: 0, parentEnd: .infinity, syncbase: 0, inSeq: false, preserve: false)
        }
        paragraphs = shown.paragraphs
        changePoints = events.events.filter(\.isFinite).sorted()
        self.url = url
    }

    /// The paragraphs as ``Cue`` values; an endless paragraph ends at the document's last change point (or where it
    /// starts, if none comes later).
    public func captionCues(track: String? = nil) -> [Cue] {
        let last = changePoints.last ?? 0
        return paragraphs.compactMap { p in
            guard p.text.contains(where: { !$0.isWhitespace }) else { return nil }
            let end = p.end.isFinite ? p.end : max(p.begin, last)
            return Cue(start: p.begin, end: end, text: p.text, track: track)
        }
    }
}

struct TTMLBuilder {
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    var timing: TTMLTiming
    /// Whether elements are clipped to their parent's interval (what is shown) or not (change points).
    let clip: Bool
    var paragraphs: [TTMLDocument.Paragraph] = []
    var events: Set<Double> = []

    init(timing: TTMLTiming, clip: Bool) {
        self.timing = timing
        self.clip = clip
    }

    static func isTT(_ node: Node) -> Bool {
        guard let ns = node.namespaceURI else { return true }
        return ns == "http://www.w3.org/ns/ttml" || (ns.contains("ttaf1") && !ns.contains("#"))
    }

    static func parameter(_ node: Node, _ name: String) -> String? {
        node.attributes.first { $0.name == name && ($0.namespaceURI?.hasSuffix("#parameter") ?? false) }?.value
    }

    static func timingParameters(_ root: Node) -> TTMLTiming {
        var t = TTMLTiming()
        var frameRateGiven = false
        if let v = parameter(root, "frameRate"), let rate = Double(v.trimmingSpaces()), rate > 0 {
            t.frameRate = rate
            frameRateGiven = true
        }
        if let v = parameter(root, "frameRateMultiplier") {
            let parts = v.split(separator: " ").compactMap { Double($0) }
            if parts.count == 2, parts[0] > 0, parts[1] > 0 { t.frameRate *= parts[0] / parts[1] }
        }
        if let v = parameter(root, "subFrameRate"), let rate = Double(v.trimmingSpaces()), rate > 0 { t.subFrameRate = rate }
        t.tickRate = frameRateGiven ? t.frameRate * t.subFrameRate : 1
        if let v = parameter(root, "tickRate"), let rate = Double(v.trimmingSpaces()), rate > 0 { t.tickRate = rate }
        return t
    }

    /// The element's interval, or `nil` when it never becomes active inside its parent.
    func interval(_ node: Node, parentBegin: Double, parentEnd: Double, syncbase: Double, inSeq: Bool,
                  implicitEnd: Double? = nil) -> (begin: Double, end: Double)? {
        let begin = node.attribute("begin").flatMap(timing.seconds)
        let end = node.attribute("end").flatMap(timing.seconds)
        let dur = node.attribute("dur").flatMap(timing.seconds)
        let b = syncbase + (begin ?? 0)
        var e: Double
        switch (end, dur) {
        case let (end?, dur?): e = min(b + dur, syncbase + end)
        case let (nil, dur?): e = b + dur
        case let (end?, nil): e = syncbase + end
        case (nil, nil): e = implicitEnd ?? (inSeq ? b : parentEnd)
        }
        guard clip else { return e >= b ? (b, e) : nil }
        e = min(e, parentEnd)
        guard b < parentEnd || (b == parentEnd && b == e && parentEnd == parentBegin) else { return nil }
        guard e >= b else { return nil }
        return (b, e)
    }

    private mutating func record(_ i: (begin: Double, end: Double)) {
        events.insert(i.begin)
        if i.end.isFinite { events.insert(i.end) }
    }

    mutating func processRegions(in head: Node) {
        for container in head.children where Self.isTT(container) && container.name == "layout" {
            for region in container.children where Self.isTT(region) && region.name == "region" {
                guard let i = interval(region, parentBegin: 0, parentEnd: .infinity, syncbase: 0, inSeq: false) else { continue }
                if region.attribute("begin") != nil || region.attribute("end") != nil || region.attribute("dur") != nil { record(i) }
                processSets(in: region, parent: i)
            }
        }
    }

    private mutating func processSets(in node: Node, parent: (begin: Double, end: Double)) {
        for set in node.children where Self.isTT(set) && set.name == "set" {
            if let i = interval(set, parentBegin: parent.begin, parentEnd: parent.end, syncbase: parent.begin, inSeq: false) {
                record(i)
            }
        }
    }

    /// Processes `body`, `div`, `p` (and `span` inside `p` through ``paragraph``), recording change points.
    mutating func process(_ node: Node, parentBegin: Double, parentEnd: Double, syncbase: Double, inSeq: Bool, preserve: Bool) {
        let isSeq = node.attribute("timeContainer") == "seq"
        // A seq container without explicit end ends with its last child.
        var implicitEnd: Double?
        if isSeq && node.attribute("end") == nil && node.attribute("dur") == nil {
            implicitEnd = seqImplicitEnd(node, begin: syncbase + (node.attribute("begin").flatMap(timing.seconds) ?? 0), parentEnd: parentEnd)
        }
        guard let i = interval(node, parentBegin: parentBegin, parentEnd: parentEnd, syncbase: syncbase, inSeq: inSeq,
                               implicitEnd: implicitEnd) else { return }
        record(i)
        let space = node.attribute("space", namespace: Self.xmlNamespace)
        let preserveHere = space.map { $0 == "preserve" } ?? preserve
        if node.name == "p" {
            paragraph(node, interval: i, preserve: preserveHere)
            return
        }
        processSets(in: node, parent: i)
        var childSyncbase = i.begin
        for child in node.children where Self.isTT(child) {
            switch child.name {
            case "div", "p", "body":
                if isSeq {
                    process(child, parentBegin: i.begin, parentEnd: i.end, syncbase: childSyncbase, inSeq: true, preserve: preserveHere)
                    if let ci = interval(child, parentBegin: i.begin, parentEnd: i.end, syncbase: childSyncbase, inSeq: true,
                                        implicitEnd: child.attribute("timeContainer") == "seq" ? seqImplicitEnd(child, begin: childSyncbase + (child.attribute("begin").flatMap(timing.seconds) ?? 0), parentEnd: i.end) : nil) {
                        childSyncbase = ci.end
                    } else {
                        childSyncbase = i.end
                    }
                } else {
                    process(child, parentBegin: i.begin, parentEnd: i.end, syncbase: i.begin, inSeq: false, preserve: preserveHere)
                }
            default:
                continue
            }
        }
    }

    /// The end of a `seq` container's last child, computed without recording anything.
    private func seqImplicitEnd(_ node: Node, begin: Double, parentEnd: Double) -> Double {
        var syncbase = begin
        for child in node.children where Self.isTT(child) && ["div", "p", "span"].contains(child.name) {
            let nested: Double? = child.attribute("timeContainer") == "seq"
                ? seqImplicitEnd(child, begin: syncbase + (child.attribute("begin").flatMap(timing.seconds) ?? 0), parentEnd: parentEnd) : nil
            guard let ci = interval(child, parentBegin: begin, parentEnd: parentEnd, syncbase: syncbase, inSeq: true, implicitEnd: nested) else {
                return syncbase
            }
            syncbase = ci.end
        }
        return min(syncbase, parentEnd)
    }

    // MARK: Paragraph text

    private indirect enum Content {
        case text(String)
        case lineBreak
        case span(begin: Double, end: Double, children: [Content])
    }

    private mutating func paragraph(_ p: Node, interval: (begin: Double, end: Double), preserve: Bool) {
        var points: Set<Double> = [interval.begin]
        if interval.end.isFinite { points.insert(interval.end) }
        processSets(in: p, parent: interval)
        let content = contents(of: p, parent: interval, inSeq: p.attribute("timeContainer") == "seq", preserve: preserve, points: &points)
        let sorted = points.filter { $0 >= interval.begin && $0 <= interval.end }.sorted()
        for t in sorted where t.isFinite { events.insert(t) }
        let starts = sorted.isEmpty ? [interval.begin] : sorted
        var previous: TTMLDocument.Paragraph?
        for (k, t) in starts.enumerated() {
            guard t < interval.end || (t == interval.begin && interval.begin == interval.end) else { continue }
            let next = k + 1 < starts.count ? starts[k + 1] : interval.end
            let text = Self.finish(render(content, at: t))
            if var open = previous, open.text == text {
                open.end = next
                previous = open
                continue
            }
            if let open = previous { paragraphs.append(open) }
            previous = TTMLDocument.Paragraph(begin: t, end: next, text: text, sourceLine: p.line)
        }
        if let open = previous { paragraphs.append(open) }
    }

    private func contents(of node: Node, parent: (begin: Double, end: Double), inSeq: Bool, preserve: Bool,
                          points: inout Set<Double>) -> [Content] {
        var result: [Content] = []
        var syncbase = parent.begin
        for child in node.childNodes {
            switch child.kind {
            case .text, .cdata:
                result.append(.text(preserve ? child.text : Self.collapse(child.text)))
            case .element where Self.isTT(child):
                switch child.name {
                case "br":
                    result.append(.lineBreak)
                case "span":
                    guard let i = interval(child, parentBegin: parent.begin, parentEnd: parent.end,
                                           syncbase: inSeq ? syncbase : parent.begin, inSeq: inSeq) else { continue }
                    if inSeq { syncbase = i.end }
                    points.insert(i.begin)
                    if i.end.isFinite { points.insert(i.end) }
                    for set in child.children where Self.isTT(set) && set.name == "set" {
                        if let si = interval(set, parentBegin: i.begin, parentEnd: i.end, syncbase: i.begin, inSeq: false) {
                            points.insert(si.begin)
                            if si.end.isFinite { points.insert(si.end) }
                        }
                    }
                    let space = child.attribute("space", namespace: Self.xmlNamespace)
                    let inner = contents(of: child, parent: i, inSeq: child.attribute("timeContainer") == "seq",
                                         preserve: space.map { $0 == "preserve" } ?? preserve, points: &points)
                    result.append(.span(begin: i.begin, end: i.end, children: inner))
                default:
                    continue   // metadata, set, foreign elements
                }
            default:
                continue
            }
        }
        return result
    }

    private func render(_ content: [Content], at t: Double) -> String {
        var out = ""
        for c in content {
            switch c {
            case .text(let s): out += s
            case .lineBreak: out += "\n"
            case let .span(begin, end, children):
                if t >= begin && t < end { out += render(children, at: t) }
            }
        }
        return out
    }

    /// XML default whitespace handling: runs of space, tab, CR and LF become one space.
    static func collapse(_ s: String) -> String {
        var out = [UInt8]()
        var space = false
        for b in s.utf8 {
            if b == ASCII.space || b == ASCII.tab || b == ASCII.lf || b == ASCII.cr {
                space = true
            } else {
                if space { out.append(ASCII.space); space = false }
                out.append(b)
            }
        }
        if space { out.append(ASCII.space) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Trims spaces at the start and end of each line and of the whole text.
    static func finish(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
            .joined(separator: "\n")
            .trimmingCharacters(in: "\n")
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return String(s)
    }

    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
