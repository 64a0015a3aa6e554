import Foundation
import Micro
import Synchronization

/// Serves an ``MCPServer`` over stdio: newline-delimited JSON-RPC messages in, one per line out. Stdout
/// carries protocol messages only; anything for people goes to stderr.
public struct MCPStdioServer: Sendable {
    public let server: MCPServer
    /// Longest line accepted; a longer one gets a -32600 error and is skipped.
    public var maximumLineLength: Int

    public init(server: MCPServer, maximumLineLength: Int = 16 << 20) {
        self.server = server
        self.maximumLineLength = maximumLineLength
    }

    /// Serves the process's standard input and output until standard input ends.
    public func run() async throws {
        let output = Mutex(FileHandle.standardOutput)
        try await serve(input: FileHandle.standardInput.chunks()) { line in
            output.withLock { $0.write(Data(line)) }
        }
    }

    /// Serves messages read from `input` (byte chunks), writing each outgoing line (with its newline) through
    /// `write`, until `input` ends. Registry changes reach the client as `list_changed` notifications once it
    /// has initialized.
    public func serve<Input: AsyncSequence & Sendable>(
        input: Input, write: @escaping @Sendable ([UInt8]) -> Void
    ) async throws where Input.Element == [UInt8] {
        let session = MCPSession(id: "stdio")
        let notifications = server.notifications()
        let server = self.server
        let limit = maximumLineLength
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await notification in notifications where session.isInitialized {
                    write(notification.json.canonicalBytes() + [0x0A])
                }
            }
            group.addTask { try await server.watchRegistry() }
            var splitter = LineSplitter(limit: limit)
            func answer(_ line: LineSplitter.Line) async {
                let response: JSONRPCMessage?
                switch line {
                case .line(let bytes): response = await server.handle(bytes: bytes, session: session)
                case .tooLong: response = .error(.invalidRequest("a message passed \(limit) bytes"), id: nil)
                }
                if let response { write(response.json.canonicalBytes() + [0x0A]) }
            }
            for try await chunk in input {
                for line in splitter.feed(chunk) { await answer(line) }
            }
            if let last = splitter.finish() { await answer(.line(last)) }
            group.cancelAll()
        }
    }
}
