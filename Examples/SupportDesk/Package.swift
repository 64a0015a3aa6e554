// swift-tools-version:6.1
import PackageDescription

// A support desk put under Micro's harness: its own services and agents, its own `support-desk` command (the
// `micro` command line with this package's catalogue), its own scenarios and a test target running them.
let package = Package(
    name: "SupportDesk",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SupportDesk", targets: ["SupportDesk"]),
        .executable(name: "support-desk", targets: ["support-desk"]),
    ],
    dependencies: [
        // Micro itself, from this repository. Outside it: .package(url: "https://github.com/…/micro", from: "…").
        .package(name: "Micro", path: "../.."),
    ],
    targets: [
        .target(
            name: "SupportDesk",
            dependencies: [
                .product(name: "Micro", package: "Micro"), .product(name: "MicroAgent", package: "Micro"),
                .product(name: "MicroHarness", package: "Micro"),
            ]
        ),
        .executableTarget(
            name: "support-desk",
            dependencies: ["SupportDesk", .product(name: "MicroCLI", package: "Micro")]
        ),
        .testTarget(
            name: "SupportDeskTests",
            dependencies: [
                "SupportDesk", .product(name: "Micro", package: "Micro"), .product(name: "MicroAgent", package: "Micro"),
                .product(name: "MicroHarness", package: "Micro"), .product(name: "MicroScenarioTesting", package: "Micro"),
            ]
        ),
    ]
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + [.swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny")]
}
