// swift-tools-version: 6.1
// libFuzzer targets for the caption parsers, kept out of the main package (see docs/fuzzing.md).
import PackageDescription

// A path dependency's identity is its folder name (the checkout may be "SmuggleWatch", "main", a worktree…).
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "SmuggleWatch"

func fuzzer(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Captions", package: root)],
        path: "Sources/\(name)"
    )
}

let package = Package(
    name: "SmuggleWatchFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [fuzzer("FuzzWebVTT"), fuzzer("FuzzSRT"), fuzzer("FuzzTTML"), fuzzer("FuzzJSON3")]
)
