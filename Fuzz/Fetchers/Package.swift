// swift-tools-version: 6.1
// libFuzzer targets for the fetcher adapters (feeds, HTML post pages, Telegram previews), kept out of the main
// package. Run Scripts/fuzz-fetchers.sh (see docs/fetchers.md).
import PackageDescription

// A path dependency's identity is its folder name (the checkout may be "SmuggleWatch", "main", a worktree…).
let root = Context.packageDirectory.split(separator: "/").dropLast(2).last.map(String.init) ?? "SmuggleWatch"

func fuzzer(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: [.product(name: "Fetchers", package: root)], path: "Sources/\(name)")
}

let package = Package(
    name: "SmuggleWatchFetcherFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "../..")],
    targets: [fuzzer("FuzzFeed"), fuzzer("FuzzHTMLPage"), fuzzer("FuzzTelegram")]
)
