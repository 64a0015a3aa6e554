import Foundation
import Logging
import Micro
import MicroAgent
import MicroMCP
import MicroProviders
import MicroReplay

/// Runs a scenario whose agent under test is an external process (any language; for one behind an A2A
/// endpoint see ``ExternalA2ARun``): the world stands at its
/// edges. On loopback it serves a provider endpoint in the provider's own wire format (the scenario's
/// cassette replayed, or its scripted turns rendered as wire bytes, with the scenario's model faults as
/// wire bytes; a live recording in record mode) and the scenario's services as an MCP server, hands them
/// to the process in the conventional variables, and writes the Trace from what crosses them.
///
/// The process gets `OPENAI_BASE_URL` (…/v1), `ANTHROPIC_BASE_URL`, `GOOGLE_GEMINI_BASE_URL`, `OLLAMA_HOST`,
/// dummy keys for each provider, `MICRO_MCP_URL` (MCP Streamable HTTP), `MICRO_PROMPT`, `MICRO_RUN_ID` and
/// `MICRO_STATE_DIR` (a folder that outlives restarts), plus the scenario's `env`. It prints its final
/// answer as the last line of standard output and exits 0.
enum ExternalAgentRun {
    /// How many times a killed process is restarted before the run is given up.
    static let maximumRestarts = 8

    static func run(in world: World, agent spec: AgentSpec, external: ExternalAgentSpec, kill: ExternalKillPoint?) async -> ScenarioOutcome {
        let scenario = world.scenario
        guard let edge = world.edge else {
            return .failed(scenario, trace: world.trace, check: "external", "the world has no edge for an external agent")
        }
        let started = world.clock.now
        let endpoint: any HTTPTransport
        do {
            endpoint = try world.externalEndpoint(for: spec, provider: external.provider)
        } catch {
            return .failed(scenario, trace: world.trace, check: "world", "the provider endpoint could not be built: \(error)")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("micro-external-\(UUID().uuidString)").path
        let state = (work as NSString).appendingPathComponent("state")
        do {
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        } catch {
            return .failed(scenario, trace: world.trace, check: "external", "cannot make \(state): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: work) }
        // Recording: requests go on to the provider's origin (or the scenario's base URL's) with the agent's path.
        let recording = world.isRecording
        var upstream: String?
        if recording, case .recorded(let provider, _, _, let baseURL) = spec.model.backend {
            upstream = (baseURL ?? ProviderCatalog.entry(provider)?.baseURL).flatMap(Self.origin)
        }
        let replay = ReplayServer(
            transport: EdgeTransport(base: endpoint, provider: external.provider, edge: edge), upstream: upstream,
            logger: .quiet("micro-edge"))
        let mcp = MCPHTTPServer(
            server: MCPServer(runtime: world.runtime, info: .init(name: "micro-world", instructions: scenario.description)),
            logger: .quiet("micro-edge-mcp"))
        do {
            return try await withLoopbackServer(replay.application) { modelPort in
                try await withLoopbackServer(mcp.application) { mcpPort in
                    let environment = Self.environment(
                        external: external, modelPort: modelPort, mcpPort: mcpPort, prompt: scenario.run.prompt,
                        runID: scenario.run.runID, state: state, recording: recording)
                    if let url = external.a2a {
                        return await ExternalA2ARun.drive(
                            world, edge: edge, external: external, url: url, environment: environment, work: work, kill: kill,
                            started: started)
                    }
                    return await drive(
                        world, edge: edge, spec: spec, external: external, environment: environment, work: work, kill: kill,
                        started: started)
                }
            }
        } catch {
            return .failed(scenario, trace: world.trace, check: "external", "the world's endpoints could not run: \(error)")
        }
    }

    /// Starts the process, restarts it after each chaos kill, and makes the run's record.
    static func drive(
        _ world: World, edge: ExternalEdge, spec: AgentSpec, external: ExternalAgentSpec, environment: [String: String],
        work: String, kill: ExternalKillPoint?, started: VirtualClock.Instant
    ) async -> ScenarioOutcome {
        let scenario = world.scenario
        let directory = scenario.resolve(external.workingDirectory ?? ".")
        let command = external.command.map { ExternalProcess.expand($0, environment: ProcessInfo.processInfo.environment) }
        edge.append(.runStarted, step: 0, ["input": .string(scenario.run.prompt), "command": .array(command.map(JSONValue.string))])
        var crashes = 0
        var armed = kill
        var result: RunResult?
        var escaped: String?
        var output = ""
        while true {
            let process = ExternalProcess(
                command: command, environment: environment, directory: directory,
                standardOutput: (work as NSString).appendingPathComponent("stdout-\(crashes + 1)"),
                standardError: (work as NSString).appendingPathComponent("stderr-\(crashes + 1)"), timeout: external.timeout)
            let termination: ExternalProcess.Termination
            do {
                let point = armed
                termination = try await process.run { pid in edge.arm(point, pid: pid) }
            } catch {
                escaped = "\(error)"
                break
            }
            armed = nil
            output = (try? String(contentsOfFile: process.standardOutput, encoding: .utf8)) ?? ""
            let errors = (try? String(contentsOfFile: process.standardError, encoding: .utf8)) ?? ""
            if termination == .signalled(SIGKILL), let point = edge.takeKill() {
                crashes += 1
                edge.append(.crashed, ["killed": .string(point.description), "process": .integer(crashes)])
                guard crashes <= maximumRestarts else {
                    escaped = "the agent was killed \(crashes) times; giving up"
                    break
                }
                edge.append(.resumed, ["fromJuncture": .string(point.description), "input": .null, "process": .integer(crashes + 1)])
                continue
            }
            let counts = edge.counts
            let misses = counts.misses
            let failure: RunFailure?
            switch termination {
            case _ where !misses.isEmpty:
                failure = RunFailure(code: "unrecorded_request", message: misses.joined(separator: "; "))
            case .exited(0):
                failure = nil
            case .exited(let code):
                failure = RunFailure(code: "agent_exit", message: "\(command.joined(separator: " ")) exited with \(code): \(tail(errors))")
            case .signalled(let signal):
                failure = RunFailure(code: "agent_crash", message: "\(command.joined(separator: " ")) died of signal \(signal): \(tail(errors))")
            case .timedOut:
                failure = RunFailure(
                    code: "agent_timeout",
                    message: "\(command.joined(separator: " ")) did not finish within \(external.timeout) (real time) and was killed: \(tail(errors))")
            }
            let answer = output.split(whereSeparator: \.isNewline).last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                .map { String($0).trimmingCharacters(in: .whitespaces) }
            result = RunResult(
                runID: scenario.run.runID, status: failure == nil ? .completed : .failed, output: failure == nil ? answer : nil,
                failure: failure, steps: counts.modelRequests, usage: counts.usage)
            if let failure {
                edge.append(.failed, ["code": .string(failure.code), "message": .string(failure.message)])
            } else {
                edge.append(.completed, ["output": answer.map(JSONValue.string) ?? .null])
            }
            break
        }
        let record = await world.record(
            result: result, error: escaped, crashes: crashes, virtualDuration: started.duration(to: world.clock.now))
        return ScenarioOutcome(scenario: scenario, record: record)
    }

    /// The process's environment: the harness's own, the endpoints, dummy keys (when recording, the real
    /// keys of the harness's environment pass through), then the scenario's `env`.
    static func environment(
        external: ExternalAgentSpec, modelPort: Int, mcpPort: Int, prompt: String, runID: String, state: String,
        recording: Bool = false
    ) -> [String: String] {
        let base = "http://127.0.0.1:\(modelPort)"
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "OPENAI_BASE_URL": "\(base)/v1", "ANTHROPIC_BASE_URL": base, "GOOGLE_GEMINI_BASE_URL": base,
            "GEMINI_BASE_URL": base, "OLLAMA_HOST": base, "MICRO_MODEL_URL": base,
            "MICRO_MCP_URL": "http://127.0.0.1:\(mcpPort)/mcp", "MICRO_PROMPT": prompt, "MICRO_RUN_ID": runID,
            "MICRO_STATE_DIR": state, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        ]) { $1 }
        for entry in ProviderCatalog.entries {
            for variable in entry.apiKeyVariables where !(recording && environment[variable] != nil) {
                environment[variable] = "micro-world-needs-no-key"
            }
        }
        for (key, value) in external.environment {
            environment[key] = ExternalProcess.expand(value, environment: ProcessInfo.processInfo.environment)
        }
        return environment
    }

    /// `scheme://host[:port]` of `url`.
    static func origin(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    static func tail(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "(nothing on standard error)" : String(trimmed.suffix(1500))
    }
}
