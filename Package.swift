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
        .library(name: "MicroMCP", targets: ["MicroMCP"]),
        .library(name: "MicroReplay", targets: ["MicroReplay"]),
        .library(name: "MicroTesting", targets: ["MicroTesting"]),
        .library(name: "MicroHarness", targets: ["MicroHarness"]),
        .library(name: "MicroTravel", targets: ["MicroTravel"]),
        .library(name: "MicroScenarioTesting", targets: ["MicroScenarioTesting"]),
        .library(name: "MicroA2A", targets: ["MicroA2A"]),
        .library(name: "MicroNATS", targets: ["MicroNATS"]),
        .library(name: "MicroEtcd", targets: ["MicroEtcd"]),
        .library(name: "MicroOTel", targets: ["MicroOTel"]),
        .library(name: "MicroRemote", targets: ["MicroRemote"]),
        .library(name: "MicroPostgres", targets: ["MicroPostgres"]),
        .library(name: "MicroCLI", targets: ["MicroCLI"]),
        .executable(name: "micro", targets: ["micro"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // No default traits: swift-configuration support is not needed, and it doubles the build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
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
        // A2A: an agent served over the A2A protocol (card, JSON-RPC 1.0 and 0.3, SSE), and the client.
        .target(
            name: "MicroA2A",
            dependencies: [
                "Micro", "MicroAgent", "MicroProviders", "MicroReplay",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // MCP server (stdio and Streamable HTTP, both protocol eras) and client.
        .target(
            name: "MicroMCP",
            dependencies: [
                "Micro", "MicroAgent", "MicroProviders", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // PostgreSQL backends on vapor/postgres-nio: the Store and the Checkpointer (swift-nio-ssl for `sslmode`).
        .target(
            name: "MicroPostgres",
            dependencies: [
                "Micro", "MicroAgent", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // NATS backends on swift-nio: the Broker over the NATS client protocol.
        .target(
            name: "MicroNATS",
            dependencies: ["Micro", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // etcd backends over the v3 JSON gateway (etcd 3.4+) on the libcurl transport: the Registry.
        .target(name: "MicroEtcd", dependencies: ["Micro", "MicroProviders"]),
        // Services across processes: an HTTP server for a runtime's services and the transport that calls them.
        .target(
            name: "MicroRemote",
            dependencies: [
                "Micro", "MicroProviders", "MicroReplay", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Bundled example services (a small travel domain) for demos and scenarios.
        .target(name: "MicroExamples", dependencies: ["Micro", "MicroAgent"]),
        // The harness: scenario files, the World they build, fault injection, expectations, chaos, reports.
        .target(
            name: "MicroHarness",
            dependencies: [
                "Micro", "MicroAgent", "MicroSQLite", "MicroProviders", "MicroA2A", "MicroMCP", "MicroReplay",
                .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // OpenTelemetry: Traces and run records as GenAI spans, exported over OTLP/HTTP (JSON) on the libcurl transport.
        .target(name: "MicroOTel", dependencies: ["Micro", "MicroAgent", "MicroProviders", "MicroHarness"]),
        // The bundled travel example as a harness catalogue (what `micro` and the bundled scenarios use).
        .target(name: "MicroTravel", dependencies: ["Micro", "MicroAgent", "MicroExamples", "MicroHarness"]),
        // Runs every scenario under a folder as its own Swift Testing case, for any package's test target.
        .target(name: "MicroScenarioTesting", dependencies: ["MicroHarness", "MicroAgent"]),
        // `micro new`: the generator agent system (design, package files through scoped tools, build-and-fix).
        .target(name: "MicroNew", dependencies: ["Micro", "MicroAgent", "MicroHarness", "MicroSQLite"]),
        // The `micro` command line, as a library so tests can drive it.
        .target(
            name: "MicroCLI",
            dependencies: [
                "Micro", "MicroAgent", "MicroSQLite", "MicroProviders", "MicroReplay", "MicroExamples", "MicroHarness", "MicroMCP", "MicroA2A", "MicroNATS", "MicroNew",
                "MicroOTel", "MicroEtcd", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(name: "micro", dependencies: ["MicroCLI", "MicroHarness", "MicroTravel"]),

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
        .testTarget(
            name: "MicroA2ATests",
            dependencies: ["MicroA2A", "MicroAgent", "Micro", "MicroSQLite", "MicroProviders", "MicroExamples"]
        ),
        .testTarget(
            name: "MicroHarnessTests",
            dependencies: ["MicroHarness", "MicroScenarioTesting", "MicroTravel", "MicroAgent", "MicroProviders", "Micro"]
        ),
        .testTarget(
            name: "MicroMCPTests",
            dependencies: [
                "MicroMCP", "MicroReplay", "MicroProviders", "MicroExamples", "MicroAgent", "Micro",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MicroNATSTests",
            dependencies: [
                "MicroNATS", "Micro", "MicroTesting",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "MicroPostgresTests",
            dependencies: [
                "MicroPostgres", "Micro", "MicroAgent", "MicroTesting", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "MicroEtcdTests", dependencies: ["MicroEtcd", "MicroMCP", "MicroProviders", "Micro", "MicroTesting"]),
        .testTarget(
            name: "MicroOTelTests",
            dependencies: [
                "MicroOTel", "MicroHarness", "MicroTravel", "MicroReplay", "MicroProviders", "MicroAgent", "Micro",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "MicroNewTests", dependencies: ["MicroNew", "MicroAgent", "Micro", "MicroSQLite"]),
        .testTarget(name: "MicroExamplesTests", dependencies: ["MicroExamples", "Micro"]),
        .testTarget(name: "MicroRemoteTests", dependencies: ["MicroRemote", "MicroProviders", "Micro"]),
        .testTarget(
            name: "MicroCLITests",
            dependencies: [
                "MicroCLI", "MicroReplay", "MicroProviders", "MicroAgent", "Micro", "MicroA2A", "MicroHarness", "MicroTravel",
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
