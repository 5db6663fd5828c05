// swift-tools-version: 6.1
// Parsing benchmarks, kept out of the main package's dependency graph. Run Scripts/bench-captions.sh.
import PackageDescription

// A path dependency's identity is its folder name (the checkout may be "SmuggleWatch", "main", a worktree…).
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "SmuggleWatch"

let package = Package(
    name: "SmuggleWatchBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "BenchCaptions",
            dependencies: [
                .product(name: "Captions", package: root),
            ],
            path: "Sources/BenchCaptions"
        ),
    ]
)
