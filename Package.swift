// swift-tools-version: 6.1
import PackageDescription
import Foundation

// Same upcoming features as the anchor codebases, so `any` and imports are explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The hot paths (reading, tokenising, scoring) skip run-time exclusivity checks in release
/// builds; debug builds and the tests keep them.
let hotPathSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "SmuggleWatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "smugglewatch", targets: ["smugglewatch"]),
        // Libraries, so the separate Fuzz/ and Benchmarks/ packages can depend on them by path.
        .library(name: "Markup", targets: ["Markup"]),
        .library(name: "Captions", targets: ["Captions"]),
        .library(name: "Fetchers", targets: ["Fetchers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // The data model: posts, caption cues, labels, JSONL.
        .target(name: "Posts", swiftSettings: hotPathSettings),
        // libxml2, as a module map plus a shim header; only Sources/Markup/LibXML imports it.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // A small safe Swift layer over libxml2: XML (no network, no DTD, no entity expansion) and HTML documents.
        .target(name: "Markup", dependencies: ["CLibXML2"], swiftSettings: swiftSettings),
        // Captions → [Cue]: WebVTT, SRT, TTML/DFXP/IMSC, YouTube srv1/srv2/srv3 and json3; rolling de-duplication.
        .target(name: "Captions", dependencies: ["Posts", "Markup"], swiftSettings: hotPathSettings),
        // libcurl: module map + shim.h of static inline wrappers for the variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // HTTP client over libcurl and source adapters (feeds, pages, Telegram, yt-dlp, platform APIs) → Post.
        .target(
            name: "Fetchers",
            dependencies: ["Posts", "CCurl", "Markup", "Captions", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: hotPathSettings),
        // Normalisation, tokenisation, contact / price extraction, evidence.
        .target(name: "Features", dependencies: ["Posts"], swiftSettings: hotPathSettings),
        // Naive Bayes per flag: counts, scoring, explanations, evaluation, model files.
        .target(name: "Bayes", dependencies: ["Features", "Posts"], swiftSettings: hotPathSettings),
        // The review store: posts, predictions, queue items and claims, labels, audit, crawl state.
        // SQLite (GRDB) is the embedded default; PostgreSQL (postgres-nio) scales out.
        .target(
            name: "ReviewQueue",
            dependencies: [
                "Posts",
                .product(name: "GRDB", package: "GRDB.swift"),
                // sqlite3_wal_hook: the WAL checkpointer's trigger (WALCheckpointer.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // `smugglewatch review`: the terminal (termios raw mode, window size, keys), the card
        // layout with highlighted evidence, and the review session over a ReviewQueueStore.
        .target(name: "ReviewTerminal", dependencies: ["Posts", "ReviewQueue"], swiftSettings: swiftSettings),
        // The scheduled crawl: sources.toml, scheduling and leases, fetch → classify → route → store, run stats.
        .target(
            name: "Crawl",
            dependencies: [
                "Posts", "Features", "Bayes", "Fetchers", "ReviewQueue", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smugglewatch",
            dependencies: [
                "Posts", "Features", "Bayes", "Fetchers", "ReviewQueue", "ReviewTerminal", "Crawl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Paths, temporary files and process helpers for the tests.
        .target(name: "SmuggleWatchTesting", swiftSettings: swiftSettings),
        .testTarget(
            name: "FetchersTests",
            dependencies: ["Fetchers", "Posts", "CCurl", "Markup", "SmuggleWatchTesting", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CaptionsTests", dependencies: ["Captions", "Posts"], swiftSettings: swiftSettings),
        .testTarget(name: "MarkupTests", dependencies: ["Markup"], swiftSettings: swiftSettings),
        .testTarget(name: "PostsTests", dependencies: ["Posts", "SmuggleWatchTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "Posts"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BayesTests", dependencies: ["Bayes", "Features", "Posts", "SmuggleWatchTesting"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ReviewQueueTests",
            dependencies: [
                "ReviewQueue", "Posts", "smugglewatch",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReviewTerminalTests",
            dependencies: ["ReviewTerminal", "ReviewQueue", "Posts", "SmuggleWatchTesting", "smugglewatch"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrawlTests",
            dependencies: [
                "Crawl", "ReviewQueue", "Posts", "Fetchers", "Bayes", "SmuggleWatchTesting", "smugglewatch",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmuggleWatchCLITests",
            dependencies: ["Posts", "Bayes", "ReviewQueue", "SmuggleWatchTesting", "smugglewatch"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Benchmarks stay out of the normal build (STYLE.md A5): Scripts/bench-store.sh sets
// SMUGGLEWATCH_BENCHMARKS=1 and builds `store-bench` in release mode.
if ProcessInfo.processInfo.environment["SMUGGLEWATCH_BENCHMARKS"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "store-bench",
            dependencies: ["ReviewQueue", "Posts"],
            path: "Benchmarks/StoreBenchmark",
            swiftSettings: swiftSettings
        )
    )
}
