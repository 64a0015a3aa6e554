import Foundation
import Micro
import Testing

@testable import MicroNew

@Suite struct WorkspaceTests {
    @Test func writesReadsAndListsInsideTheRoot() async throws {
        try await withTemporaryDirectory { folder in
            let workspace = try Workspace(directory: folder + "/pkg")
            try workspace.write("Sources/App/A.swift", content: "let a = 1\n")
            try workspace.write("./README.md", content: "# A\n")
            try workspace.write("Sources/App/../App/B.swift", content: "let b = 2\n")
            try workspace.write(".build/debug/junk", content: "x")
            #expect(try workspace.read("Sources/App/A.swift") == "let a = 1\n")
            #expect(try workspace.resolve("Sources/App/A.swift") == workspace.root + "/Sources/App/A.swift")
            #expect(try workspace.resolve("New/Deeper/x.swift") == workspace.root + "/New/Deeper/x.swift")
            #expect(FileManager.default.fileExists(atPath: workspace.root + "/Sources/App/A.swift"))
            #expect(try workspace.list() == ["README.md", "Sources/App/A.swift", "Sources/App/B.swift"])
            #expect(try workspace.list("Sources") == ["Sources/App/A.swift", "Sources/App/B.swift"])
        }
    }

    @Test(arguments: [
        ("/etc/passwd", WorkspaceError.Code.absolutePath),
        ("~/x", .absolutePath),
        ("../outside.txt", .escapesRoot),
        ("Sources/../../outside.txt", .escapesRoot),
        ("a/b/../../../x", .escapesRoot),
        ("", .invalidPath),
        ("a\0b", .invalidPath),
    ])
    func refusesPathsOutsideTheRoot(path: String, code: WorkspaceError.Code) async throws {
        try await withTemporaryDirectory { folder in
            let workspace = try Workspace(directory: folder + "/pkg")
            for operation in [{ try workspace.write(path, content: "x") }, { _ = try workspace.read(path) }] {
                let error = try #require(throws: WorkspaceError.self) { try operation() }
                #expect(error.code == code)
                #expect(error.path == path)
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/outside.txt"))
        }
    }

    @Test func refusesSymbolicLinksLeadingOut() async throws {
        try await withTemporaryDirectory { folder in
            let workspace = try Workspace(directory: folder + "/pkg")
            try FileManager.default.createDirectory(atPath: folder + "/elsewhere", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: workspace.root + "/out", withDestinationPath: folder + "/elsewhere")
            try FileManager.default.createSymbolicLink(atPath: workspace.root + "/file", withDestinationPath: folder + "/elsewhere/f.txt")
            for path in ["out/x.swift", "file"] {
                let error = try #require(throws: WorkspaceError.self) { try workspace.write(path, content: "x") }
                #expect(error.code == .symlinkEscapes)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/elsewhere").isEmpty)
            // A link that stays inside is followed.
            try workspace.write("real/a.txt", content: "inside")
            try FileManager.default.createSymbolicLink(atPath: workspace.root + "/alias", withDestinationPath: workspace.root + "/real")
            #expect(try workspace.read("alias/a.txt") == "inside")
            #expect(try workspace.list() == ["real/a.txt"])  // links are not followed when listing
        }
    }

    @Test func reportsMissingFilesDirectoriesAndSizes() async throws {
        try await withTemporaryDirectory { folder in
            var workspace = try Workspace(directory: folder + "/pkg")
            workspace.maximumFileSize = 8
            #expect(throws: WorkspaceError.self) { try workspace.read("nope.txt") }
            #expect((try? workspace.read("nope.txt")) == nil)
            let missing = try #require(throws: WorkspaceError.self) { try workspace.read("nope.txt") }
            #expect(missing.code == .notFound)
            let large = try #require(throws: WorkspaceError.self) { try workspace.write("big.txt", content: "123456789") }
            #expect(large.code == .tooLarge)
            try workspace.write("dir/a.txt", content: "a")
            let directory = try #require(throws: WorkspaceError.self) { try workspace.write("dir", content: "a") }
            #expect(directory.code == .isDirectory)
            let notDirectory = try #require(throws: WorkspaceError.self) { try workspace.list("dir/a.txt") }
            #expect(notDirectory.code == .notDirectory)
        }
    }

    @Test func serviceAnswersRefusalsAsToolErrors() async throws {
        try await withTemporaryDirectory { folder in
            let workspace = try Workspace(directory: folder + "/pkg")
            let runtime = Runtime.inMemory(environment: .simulated(seed: 1))
            try await runtime.serve(WorkspaceService.service(workspace))
            let tools = try await runtime.toolset()
            let context = CallContext.standalone(caller: "test", environment: runtime.environment)
            let written = try await tools.call("workspace_write_file", arguments: ["path": "a.txt", "content": "hi"], context: context)
            #expect(written.isError == false)
            let escaped = try await tools.call("workspace_write_file", arguments: ["path": "../a.txt", "content": "hi"], context: context)
            #expect(escaped.isError == true)
            #expect(escaped.content.canonicalString().contains("escapes_root"))
            let listed = try await tools.call("workspace_list_files", arguments: [:], context: context)
            #expect(listed.content["files"] == ["a.txt"])
        }
    }
}
