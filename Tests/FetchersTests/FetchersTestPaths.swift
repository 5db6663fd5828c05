import Foundation

/// The package root, derived from this file's path.
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Third-party conformance material, beside the checkout (`../shared/external`), or nil when absent.
let externalRoot: URL? = {
    let u = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/external")
    return FileManager.default.fileExists(atPath: u.path) ? u : nil
}()
