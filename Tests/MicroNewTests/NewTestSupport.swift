import Foundation
import Micro
import MicroAgent
@testable import MicroNew
import Synchronization
import Testing

/// The repository's root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The hand-written script the bundled `micro new` cassette was recorded from, as scripted model turns.
func bundledScript() throws -> [ScriptedModel.Turn] {
    let data = try #require(FileManager.default.contents(atPath: repositoryRoot + "/Recordings/new-from-prompt.script.json"))
    let document = try JSONValue(parsing: Array(data))
    return (document["turns"]?.arrayValue ?? []).enumerated().map { index, turn in
        let calls = (turn["toolCalls"]?.arrayValue ?? []).enumerated().map { offset, call in
            ToolCall(id: "call_\(index + 1)_\(offset + 1)", name: call["name"]?.stringValue ?? "", arguments: call["arguments"] ?? [:])
        }
        return calls.isEmpty ? .answer(turn["text"]?.stringValue ?? "") : .calls(calls)
    }
}

/// The design in the bundled script's first turn.
func bundledDesign() throws -> AppDesign {
    let turns = try bundledScript()
    let arguments = try #require(turns.first?.toolCalls.first?.arguments)
    return try JSONValueDecoder().decode(AppDesign.self, from: arguments)
}

/// A fresh directory under the temporary folder, removed by `body`'s end.
func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("micro-new-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(Workspace.realPath(path) ?? path)
}

/// A toolchain that compiles nothing: a build fails with a compiler-shaped error for every line of a
/// Swift source under `Sources/` that holds an undefined name from `undefined`, and succeeds otherwise;
/// scenario runs pass. It counts its builds.
final class ScriptedToolchain: Toolchain {
    let undefined: [String]
    let counts = Mutex((builds: 0, scenarioRuns: 0))

    init(undefined: [String] = ["tipCent,", "PLANTED_ERROR"]) { self.undefined = undefined }

    var builds: Int { counts.withLock { $0.builds } }
    var scenarioRuns: Int { counts.withLock { $0.scenarioRuns } }

    func build(packageAt directory: String, timeout: Duration) async throws -> ToolchainRun {
        counts.withLock { $0.builds += 1 }
        var output = "Building for debugging...\n"
        let workspace = try Workspace(directory: directory)
        for file in try workspace.list("Sources") where file.hasSuffix(".swift") {
            for (number, line) in try workspace.read(file).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for name in undefined {
                    if let range = line.range(of: name) {
                        let column = line.distance(from: line.startIndex, to: range.lowerBound) + 1
                        let bare = name.trimmingCharacters(in: CharacterSet(charactersIn: ","))
                        output += "\(directory)/\(file):\(number + 1):\(column): error: cannot find '\(bare)' in scope\n"
                    }
                }
            }
        }
        let failed = output.contains(": error: ")
        return ToolchainRun(exitCode: failed ? 1 : 0, output: output + (failed ? "error: fatalError\n" : "Build complete!\n"))
    }

    func runScenarios(packageAt directory: String, executable: String, timeout: Duration) async throws -> ToolchainRun {
        counts.withLock { $0.scenarioRuns += 1 }
        return ToolchainRun(exitCode: 0, output: "[3/3] Linking \(executable)\nPASS dinner-for-four\nPASS lunch-alone\n2 passed\n")
    }
}
