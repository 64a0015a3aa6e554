import FuzzSupport
import Micro
import MicroExamples
import MicroMCP

/// JSON-RPC as the MCP server reads it: the input's lines (at most 8, as a stdio client sends them) are handed,
/// in order, to `MCPServer.handle(bytes:session:)` on one fresh session of a server over the bundled travel
/// services, so `initialize` followed by `tools/call` and friends is reachable. Invariants: a message that
/// parses survives `json` → bytes → parse; a request gets exactly one response, with its id; a notification
/// or a response gets none; every answer is itself a valid JSON-RPC response.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let lines = bytes.split(separator: 0x0A, maxSplits: 7, omittingEmptySubsequences: true).map { Array($0) }
    for line in lines {
        if let message = try? JSONRPCMessage(parsing: line) {
            invariant(
                (try? JSONRPCMessage(parsing: message.json.canonicalBytes())) == message, "message does not round-trip: \(message)")
        }
    }
    let server = Server.shared
    runBlocking {
        let session = MCPSession(id: "fuzz")
        for line in lines {
            let parsed = try? JSONRPCMessage(parsing: line)
            let answer = await server.handle(bytes: line, session: session)
            switch parsed {
            case .request(let id, _, _)?:
                guard case .response(let answerID, _)? = answer else { fatalError("request \(id) got no response") }
                invariant(answerID == id, "request \(id) answered as \(String(describing: answerID))")
            case .notification?, .response?:
                invariant(answer == nil, "a notification or response was answered: \(String(describing: answer))")
            case nil:
                guard case .response(_, .failure(let error))? = answer else { fatalError("bad bytes got \(String(describing: answer))") }
                invariant(error.code == -32700 || error.code == -32600, "bad bytes got error \(error.code)")
            }
            if let answer {
                invariant(
                    (try? JSONRPCMessage(parsing: answer.json.canonicalBytes())) == answer, "answer does not round-trip: \(answer)")
            }
        }
    }
    return 0
}

/// One server for the whole run: building the travel services per input would dominate the time.
enum Server {
    static let shared: MCPServer = runBlocking {
        let runtime = Runtime.inMemory()
        do { try await TravelServices.serve(on: runtime) } catch { fatalError("travel services: \(error)") }
        return MCPServer(runtime: runtime, agents: TravelAgents.all(), info: MCPServer.Info(instructions: "travel"))
    }
}
