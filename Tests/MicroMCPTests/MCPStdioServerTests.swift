import Micro
import MicroMCP
import Synchronization
import Testing

@Suite struct MCPStdioServerTests {
    /// Feeds `chunks` to a stdio server and returns the lines it wrote, parsed.
    func serve(_ chunks: [[UInt8]], maximumLineLength: Int = 1 << 20) async throws -> [JSONRPCMessage] {
        let server = try await travelServer()
        let written = Mutex<[UInt8]>([])
        let (input, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
        try await MCPStdioServer(server: server, maximumLineLength: maximumLineLength).serve(input: input) { line in
            written.withLock { $0 += line }
        }
        let bytes = written.withLock { $0 }
        #expect(bytes.last == 0x0A)
        return try bytes.split(separator: 0x0A).map { try JSONRPCMessage(parsing: $0) }
    }

    static let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}}"#
    static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
    static let call = #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"weather_forecast","arguments":{"city":"Lisbon","from":"2026-05-01","days":1}}}"#

    @Test func answersLineByLineWhateverTheChunking() async throws {
        let text = [Self.initialize, Self.initialized, Self.call].joined(separator: "\r\n") + "\n"
        let bytes = Array(text.utf8)
        for size in [1, 7, bytes.count] {
            let chunks = stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
            let messages = try await serve(chunks)
            #expect(messages.count == 2)
            #expect(messages[0].result?["protocolVersion"] == "2025-06-18")
            #expect(messages[1].result?["structuredContent"]?["city"] == "Lisbon")
        }
    }

    @Test func aLastLineWithoutNewlineIsAnswered() async throws {
        let messages = try await serve([Array(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#.utf8)])
        #expect(messages == [.result([:], id: .integer(7))])
    }

    @Test func garbageThenAValidCallStillSucceeds() async throws {
        let garbage = ["{", "not json", "[]", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"}", "\u{7f}\u{1}", String(repeating: "x", count: 5000)]
        let text = ([Self.initialize, Self.initialized] + garbage + [Self.call]).joined(separator: "\n") + "\n"
        let messages = try await serve([Array(text.utf8)], maximumLineLength: 4096)
        let codes = messages.dropFirst().dropLast().map { $0.error?.code }
        #expect(codes == [-32700, -32700, -32600, -32601, -32700, -32600])
        #expect(messages.last?.result?["isError"] == false)
    }
}
