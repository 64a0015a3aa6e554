// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for Micro's parsers, outside the main package so its build is untouched.
//
// Build (Linux, the toolchain's libFuzzer and AddressSanitizer; every module gets coverage instrumentation):
//   swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
// SwiftPM hands swiftc `-sanitize=fuzzer -sanitize=address` as two flags and the last one wins, which leaves the
// Swift code without coverage counters; the combined `-Xswiftc` flag, last on the line, gives it both.
// Run: `bash Tests/Fuzz/run.sh [SECONDS]` (builds, then runs each target on a copy of its seed corpus).
//
// Each executable target defines `LLVMFuzzerTestOneInput` and no `main` (libFuzzer's runtime brings it):
// the targets are compiled with -parse-as-library.
let targets = [
    "FuzzSSE", "FuzzNDJSON", "FuzzJSON", "FuzzMCPJSONRPC", "FuzzA2AJSONRPC", "FuzzScenarioYAML", "FuzzCassette",
    "FuzzCheckpoint",
]

let micro: [String: [Target.Dependency]] = [
    "FuzzSSE": [.product(name: "MicroProviders", package: "Micro")],
    "FuzzNDJSON": [.product(name: "Micro", package: "Micro"), .product(name: "MicroProviders", package: "Micro")],
    "FuzzJSON": [.product(name: "Micro", package: "Micro")],
    "FuzzMCPJSONRPC": [
        .product(name: "Micro", package: "Micro"), .product(name: "MicroMCP", package: "Micro"),
        .product(name: "MicroExamples", package: "Micro"),
    ],
    "FuzzA2AJSONRPC": [
        .product(name: "Micro", package: "Micro"), .product(name: "MicroAgent", package: "Micro"),
        .product(name: "MicroA2A", package: "Micro"), .product(name: "MicroProviders", package: "Micro"),
    ],
    "FuzzScenarioYAML": [
        .product(name: "MicroHarness", package: "Micro"), .product(name: "MicroTravel", package: "Micro"),
    ],
    "FuzzCassette": [.product(name: "Micro", package: "Micro"), .product(name: "MicroProviders", package: "Micro")],
    "FuzzCheckpoint": [.product(name: "Micro", package: "Micro"), .product(name: "MicroAgent", package: "Micro")],
]

let package = Package(
    name: "MicroFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Micro", path: "../.."),
    ],
    targets: [.target(name: "FuzzSupport", dependencies: [.product(name: "Micro", package: "Micro")])]
        + targets.map { name in
            .executableTarget(
                name: name, dependencies: ["FuzzSupport"] + micro[name, default: []],
                swiftSettings: [.unsafeFlags(["-parse-as-library"])])
        }
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + [.swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny")]
}
