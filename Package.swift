// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Micro",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Micro", targets: ["Micro"]),
        .library(name: "MicroAgent", targets: ["MicroAgent"]),
        .library(name: "MicroSQLite", targets: ["MicroSQLite"]),
        .library(name: "MicroProviders", targets: ["MicroProviders"]),
        .library(name: "MicroExamples", targets: ["MicroExamples"]),
        .library(name: "MicroTesting", targets: ["MicroTesting"]),
        .library(name: "MicroReplay", targets: ["MicroReplay"]),
        .executable(name: "micro", targets: ["micro"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // No default traits: swift-configuration support is not needed, and it doubles the build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Core: values, schemas, services and tools, Registry/Broker/Store with in-memory defaults.
        .target(name: "Micro", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // Agents: the model seam, the agent loop, checkpoints, compact memory, the trace.
        .target(name: "MicroAgent", dependencies: ["Micro"]),
        // Embedded SQLite backends (system libsqlite3 through GRDB): the Store and the Checkpointer.
        .target(
            name: "MicroSQLite",
            dependencies: ["Micro", "MicroAgent", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // libcurl, with static-inline shims for its variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Contract checks every Registry/Broker/Store backend must pass (no test-framework dependency).
        .target(name: "MicroTesting", dependencies: ["Micro", "MicroAgent"]),
        // HTTP transport and LLM provider adapters.
        .target(name: "MicroProviders", dependencies: ["Micro", "MicroAgent", "CCurl"]),
        // HTTP servers on loopback: the cassette replay server and the documented-wire stand-in upstream.
        .target(
            name: "MicroReplay",
            dependencies: [
                "Micro", "MicroProviders", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Bundled example services (a small travel domain) for demos and scenarios.
        .target(name: "MicroExamples", dependencies: ["Micro", "MicroAgent"]),
        // The `micro` command line, as a library so tests can drive it.
        .target(
            name: "MicroCLI",
            dependencies: [
                "Micro", "MicroAgent", "MicroSQLite", "MicroProviders", "MicroReplay", "MicroExamples",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(name: "micro", dependencies: ["MicroCLI"]),

        .testTarget(name: "MicroTests", dependencies: ["Micro", "MicroTesting"]),
        .testTarget(name: "MicroAgentTests", dependencies: ["MicroAgent", "Micro", "MicroExamples", "MicroTesting"]),
        .testTarget(
            name: "MicroSQLiteTests",
            dependencies: [
                "MicroSQLite", "Micro", "MicroAgent", "MicroExamples", "MicroTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "MicroProvidersTests", dependencies: ["MicroProviders", "MicroAgent", "Micro"]),
        .testTarget(
            name: "MicroReplayTests",
            dependencies: [
                "MicroReplay", "MicroProviders", "MicroAgent", "Micro",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "MicroExamplesTests", dependencies: ["MicroExamples", "Micro"]),
        .testTarget(
            name: "MicroCLITests",
            dependencies: [
                "MicroCLI", "MicroReplay", "MicroProviders", "MicroAgent", "Micro",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// One set of Swift settings for every target: Swift 6 language mode, strict concurrency.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
    ]
}
