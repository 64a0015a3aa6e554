import Foundation
import Micro
import Synchronization

/// Runs an MCP server as a subprocess and talks newline-delimited JSON-RPC over its stdin and stdout. The
/// server's stderr passes through to ours. Responses are matched to requests by id as stdout is read (on a
/// reader thread); requests from the server get -32601. Writes are serialized (one whole line at a time); a
/// request unanswered after ``requestTimeout`` fails with `timed_out`; a line on stdout that is not JSON-RPC
/// is counted and logged (the first few, to stderr) and named in the errors that follow, never dropped silently.
public final class MCPStdioClientTransport: MCPClientTransport {
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let inbox = Inbox()
    /// How long a request may wait for its response (real time: a live process is on the other side).
    public let requestTimeout: Duration
    /// Lines the server wrote that are not JSON-RPC are logged to stderr up to this many.
    static let loggedBadLines = 5

    /// What the reader and the callers share: the pending requests and the process's fate.
    final class Inbox: Sendable {
        let state = Mutex(State())
        /// Held while a line is written, so that concurrent requests never interleave their bytes.
        let writing = Mutex(())
    }

    struct State {
        var splitter = LineSplitter(limit: 64 << 20)
        var waiters: [JSONRPCID: CheckedContinuation<JSONRPCMessage, any Error>] = [:]
        var ended: MCPClientError?
        var exited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        /// Lines from the server that were not JSON-RPC, and the last of them.
        var badLines = 0
        var lastBadLine = ""
    }

    /// Starts `command` (the program and its arguments, looked up in `PATH`). Ignores `SIGPIPE` for the
    /// process, so that writing to a server that has exited fails with an error instead of killing us.
    public init(command: [String], environment: [String: String]? = nil, requestTimeout: Duration = .seconds(60)) throws {
        guard !command.isEmpty else { throw MCPClientError(.unavailable, "empty server command") }
        self.requestTimeout = requestTimeout
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
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: bytes)
        } catch {
            let excerpt = String(decoding: bytes.prefix(200), as: UTF8.self)
            let count = inbox.state.withLock { state in
                state.badLines += 1
                state.lastBadLine = excerpt
                return state.badLines
            }
            if count <= loggedBadLines {
                let note = count == loggedBadLines ? " (further ones are counted, not logged)" : ""
                FileHandle.standardError.write(Data("micro mcp client: the server wrote a line that is not JSON-RPC (\(error)): \(excerpt)\(note)\n".utf8))
            }
            return
        }
        switch message {
        case .response(let id?, _):
            let waiter = inbox.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: message)
        case .request(let id, let method, _):
            let reply = JSONRPCMessage.error(.methodNotFound(method), id: id)
            try? write(reply, to: input, inbox: inbox)
        default:
            break
        }
    }

    /// Writes `message` as one line, whole, while no other line is being written.
    private static func write(_ message: JSONRPCMessage, to input: FileHandle, inbox: Inbox) throws {
        let line = message.json.canonicalBytes() + [0x0A]
        try inbox.writing.withLock { _ in try input.write(contentsOf: line) }
    }

    /// What the server wrote that was not JSON-RPC, for errors: empty when nothing was.
    private static func badLineNote(_ inbox: Inbox) -> String {
        let (count, last) = inbox.state.withLock { ($0.badLines, $0.lastBadLine) }
        return count == 0 ? "" : "; the server wrote \(count) line(s) that are not JSON-RPC, the last: \(last)"
    }

    private static func end(_ inbox: Inbox, _ error: MCPClientError) {
        let error = MCPClientError(error.code, error.message + badLineNote(inbox))
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
        let timeout = requestTimeout
        let method: String = if case .request(_, let method, _) = request { method } else { "" }
        // The response, or the timeout: whichever comes first; the other is cancelled.
        return try await withThrowingTaskGroup(of: JSONRPCMessage?.self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONRPCMessage, any Error>) in
                        // Cancelled before the waiter is registered (the timeout came first): onCancel found
                        // nothing to resume, so this must not wait.
                        let refused: (any Error)? = inbox.state.withLock { state in
                            if let ended = state.ended { return ended }
                            if Task.isCancelled { return CancellationError() }
                            state.waiters[id] = continuation
                            return nil
                        }
                        if let refused { return continuation.resume(throwing: refused) }
                        do {
                            try Self.write(request, to: input, inbox: inbox)
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
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw MCPClientError(.timedOut, "\(method) got no response within \(timeout)" + Self.badLineNote(inbox))
            }
            return response
        }
    }

    public func send(notification: JSONRPCMessage, protocolVersion: String?) async throws {
        do {
            try Self.write(notification, to: input, inbox: inbox)
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
