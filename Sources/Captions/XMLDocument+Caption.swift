import Markup

extension XMLDocument {
    /// Parses an XML caption document, turning a markup error into a ``CaptionError`` that names
    /// the format, the URL and the line.
    static func caption(bytes: some Collection<UInt8>, url: String, format: String) throws(CaptionError) -> XMLDocument {
        do {
            return try XMLDocument(bytes: bytes, url: url)
        } catch {
            throw CaptionError(
                code: .malformedDocument,
                message: "\(format) '\(url)'\(error.line.map { " line \($0)" } ?? ""): \(error.message)", url: url,
                line: error.line, cause: error)
        }
    }
}
