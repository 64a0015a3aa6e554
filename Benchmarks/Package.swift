// swift-tools-version:6.1
import PackageDescription

// Benchmarks for Micro's hot paths, kept in a package of their own so the main build and CI stay lean.
// Run from this folder: `swift package --allow-writing-to-package-directory benchmark` (see BENCHMARKS.md).
let package = Package(
    name: "MicroBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Micro", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Micro", package: "Micro"),
                .product(name: "MicroAgent", package: "Micro"),
                .product(name: "MicroProviders", package: "Micro"),
                .product(name: "MicroSQLite", package: "Micro"),
                .product(name: "MicroReplay", package: "Micro"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "HarnessBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Micro", package: "Micro"),
                .product(name: "MicroAgent", package: "Micro"),
                .product(name: "MicroHarness", package: "Micro"),
                .product(name: "MicroTravel", package: "Micro"),
            ],
            path: "Benchmarks/HarnessBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "FlowBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Micro", package: "Micro"),
                .product(name: "MicroAgent", package: "Micro"),
            ],
            path: "Benchmarks/FlowBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "MCPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Micro", package: "Micro"),
                .product(name: "MicroMCP", package: "Micro"),
                .product(name: "MicroExamples", package: "Micro"),
                .product(name: "MicroProviders", package: "Micro"),
                .product(name: "MicroReplay", package: "Micro"),
            ],
            path: "Benchmarks/MCPBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "WorkerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Micro", package: "Micro"),
                .product(name: "MicroAgent", package: "Micro"),
                .product(name: "MicroSQLite", package: "Micro"),
            ],
            path: "Benchmarks/WorkerBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "A2ABenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Micro", package: "Micro"),
                .product(name: "MicroAgent", package: "Micro"),
                .product(name: "MicroProviders", package: "Micro"),
                .product(name: "MicroA2A", package: "Micro"),
            ],
            path: "Benchmarks/A2ABenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "PostgresBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Micro", package: "Micro"),
                .product(name: "MicroAgent", package: "Micro"),
                .product(name: "MicroPostgres", package: "Micro"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/PostgresBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
