import Foundation

/// One run of an external agent's process: started with its environment and working directory, standard
/// output and error to files (never a pipe that could fill), bounded by a timeout on the real clock.
package struct ExternalProcess {
    package enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signalled(Int32)
        /// Killed (SIGKILL) after the timeout.
        case timedOut
    }

    package var command: [String]
    package var environment: [String: String]
    package var directory: String
    package var standardOutput: String
    package var standardError: String
    package var timeout: Duration

    package init(
        command: [String], environment: [String: String], directory: String, standardOutput: String, standardError: String,
        timeout: Duration
    ) {
        self.command = command
        self.environment = environment
        self.directory = directory
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timeout = timeout
    }

    /// Runs the process to its end; `started` gets its pid once it runs.
    package func run(started: @Sendable (Int32) -> Void) async throws(ExternalAgentError) -> Termination {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.resolve(command[0], in: environment["PATH"] ?? ""))
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        for path in [standardOutput, standardError] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let output = FileHandle(forWritingAtPath: standardOutput), let errors = FileHandle(forWritingAtPath: standardError) else {
            throw ExternalAgentError("cannot write \(standardOutput) or \(standardError)")
        }
        defer {
            try? output.close()
            try? errors.close()
        }
        process.standardOutput = output
        process.standardError = errors
        let (terminations, ended) = AsyncStream.makeStream(of: Termination.self)
        process.terminationHandler = { process in
            ended.yield(process.terminationReason == .exit ? .exited(process.terminationStatus) : .signalled(process.terminationStatus))
            ended.finish()
        }
        do {
            try process.run()
        } catch {
            throw ExternalAgentError("cannot start \(command.joined(separator: " ")): \(error)")
        }
        let pid = process.processIdentifier
        started(pid)
        let timeout = timeout
        return await withTaskGroup(of: Termination?.self) { group in
            group.addTask {
                for await termination in terminations { return termination }
                return .signalled(SIGKILL)
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return nil
                } catch {
                    return .timedOut  // cancelled: the process ended first; this value is never read
                }
            }
            let first = await group.next() ?? nil
            if let first {
                group.cancelAll()
                return first
            }
            // The timeout passed first: kill the process and wait for it to end.
            kill(pid, SIGKILL)
            _ = await group.next()
            return .timedOut
        }
    }

    /// `program` itself when it holds a slash, else its first match on `path`.
    static func resolve(_ program: String, in path: String) throws(ExternalAgentError) -> String {
        if program.contains("/") { return program }
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ExternalAgentError("\(program) is not on PATH (\(path))")
    }

    /// `${NAME}` and `${NAME:-default}` in `text`, from `environment`.
    static func expand(_ text: String, environment: [String: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                result += rest[start.lowerBound...]
                return result
            }
            let inner = rest[start.upperBound..<end]
            if let split = inner.range(of: ":-") {
                let value = environment[String(inner[..<split.lowerBound])] ?? ""
                result += value.isEmpty ? String(inner[split.upperBound...]) : value
            } else {
                result += environment[String(inner)] ?? ""
            }
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
