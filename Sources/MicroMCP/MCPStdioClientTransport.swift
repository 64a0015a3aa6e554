import Foundation
import Micro
import Synchronization

/// Runs an MCP server as a subprocess and talks newline-delimited JSON-RPC over its stdin and stdout. The
/// server's stderr passes through to ours. Responses are matched to requests by id as stdout is read (on a
/// reader thread); requests from the server get -32601.
public final class MCPStdioClientTransport: MCPClientTransport {
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let inbox = Inbox()

    /// What the reader and the callers share: the pending requests and the process's fate.
    final class Inbox: Sendable {
        let state = Mutex(State())
    }

    struct State {
        var splitter = LineSplitter(limit: 64 << 20)
        var waiters: [JSONRPCID: CheckedContinuation<JSONRPCMessage, any Error>] = [:]
        var ended: MCPClientError?
        var exited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Starts `command` (the program and its arguments, looked up in `PATH`). Ignores `SIGPIPE` for the
    /// process, so that writing to a server that has exited fails with an error instead of killing us.
    public init(command: [String], environment: [String: String]? = nil) throws {
        guard !command.isEmpty else { throw MCPClientError(.unavailable, "empty server command") }
        signal(SIGPIPE, SIG_IGN)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        if let environment { process.environment = environment }
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        let inbox = self.inbox
        let input = self.input
        process.terminationHandler = { process in
            let waiters = inbox.state.withLock { state in
                state.exited = true
                defer { state.exitWaiters.removeAll() }
                return state.exitWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        do {
            try process.run()
        } catch {
            throw MCPClientError(.unavailable, "could not start \(command.joined(separator: " ")): \(error)")
        }
        output.readOnThread(name: "micro-mcp-client") { chunk in
            let lines = inbox.state.withLock { $0.splitter.feed(chunk) }
            for case .line(let bytes) in lines { Self.receive(bytes, inbox: inbox, input: input) }
            return true
        } end: {
            Self.end(inbox, MCPClientError(.transport, "the server closed its output"))
        }
    }

    /// Splits a command line into words (double and single quotes group, backslash escapes).
    public static func words(_ commandLine: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        var inWord = false
        for character in commandLine {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    private static func receive(_ bytes: [UInt8], inbox: Inbox, input: FileHandle) {
        guard let message = try? JSONRPCMessage(parsing: bytes) else { return }
        switch message {
        case .response(let id?, _):
            let waiter = inbox.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: message)
        case .request(let id, let method, _):
            let reply = JSONRPCMessage.error(.methodNotFound(method), id: id)
            try? input.write(contentsOf: reply.json.canonicalBytes() + [0x0A])
        default:
            break
        }
    }

    private static func end(_ inbox: Inbox, _ error: MCPClientError) {
        let waiters = inbox.state.withLock { state in
            state.ended = state.ended ?? error
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    public func send(request: JSONRPCMessage, protocolVersion: String?) async throws -> JSONRPCMessage {
        guard case .request(let id, _, _) = request else {
            throw MCPClientError(.invalidResponse, "send(request:) needs a request")
        }
        let inbox = self.inbox
        let input = self.input
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONRPCMessage, any Error>) in
                let ended: MCPClientError? = inbox.state.withLock { state in
                    if let ended = state.ended { return ended }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ended { return continuation.resume(throwing: ended) }
                do {
                    try input.write(contentsOf: request.json.canonicalBytes() + [0x0A])
                } catch {
                    let waiter = inbox.state.withLock { $0.waiters.removeValue(forKey: id) }
                    waiter?.resume(throwing: MCPClientError(.transport, "could not write to the server: \(error)"))
                }
            }
        } onCancel: {
            let waiter = inbox.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    public func send(notification: JSONRPCMessage, protocolVersion: String?) async throws {
        do {
            try input.write(contentsOf: notification.json.canonicalBytes() + [0x0A])
        } catch {
            throw MCPClientError(.transport, "could not write to the server: \(error)")
        }
    }

    /// Closes the server's stdin and waits for it to exit, terminating it after `grace`.
    public func close() async { await close(grace: .seconds(2)) }

    public func close(grace: Duration) async {
        try? input.close()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask { [process] in
                try? await Task.sleep(for: grace)
                if !Task.isCancelled, process.isRunning { process.terminate() }
            }
            await group.next()
            group.cancelAll()
        }
        await waitForExit()
        Self.end(inbox, MCPClientError(.transport, "the connection is closed"))
    }

    private func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = inbox.state.withLock { state in
                if !state.exited { state.exitWaiters.append(continuation) }
                return state.exited
            }
            if exited { continuation.resume() }
        }
    }
}
