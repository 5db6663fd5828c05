// swift-tools-version: 6.1
// Fetcher benchmarks (feed/HTML parsing MB/s, pages/s from the local server), kept out of the main package's
// dependency graph. Run Scripts/bench-fetchers.sh.
import PackageDescription

// A path dependency's identity is its folder name (the checkout may be "SmuggleWatch", "main", a worktree…).
let root = Context.packageDirectory.split(separator: "/").dropLast(2).last.map(String.init) ?? "SmuggleWatch"

let package = Package(
    name: "SmuggleWatchFetcherBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "BenchFetchers",
            dependencies: [.product(name: "Fetchers", package: root), .product(name: "Markup", package: root)],
            path: "Sources/BenchFetchers"
        ),
    ]
)
