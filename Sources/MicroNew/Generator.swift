import Foundation
import Micro
import MicroAgent
import MicroSQLite

/// What a `micro new` run was started with, kept in its database so that a resumed run (`micro runs
/// resume`, `micro new --resume`) rebuilds the same generator.
public struct GeneratorConfiguration: Codable, Sendable, Hashable {
    /// The package's name: its directory and its executable.
    public var name: String
    /// The package's directory, absolute.
    public var directory: String
    public var prompt: String
    public var maxFixRounds: Int
    /// Whether the design is accepted without asking.
    public var acceptDesign: Bool
    public var micro: MicroDependency
    /// Seconds one `swift build` (or scenario run) may take.
    public var buildTimeoutSeconds: Int
    /// How the CLI builds the model (provider, model, base URL, cassette…); opaque here.
    public var model: [String: String]

    public init(
        name: String, directory: String, prompt: String, maxFixRounds: Int, acceptDesign: Bool, micro: MicroDependency,
        buildTimeoutSeconds: Int = 1800, model: [String: String] = [:]
    ) {
        self.name = name
        self.directory = directory
        self.prompt = prompt
        self.maxFixRounds = maxFixRounds
        self.acceptDesign = acceptDesign
        self.micro = micro
        self.buildTimeoutSeconds = buildTimeoutSeconds
        self.model = model
    }

    /// The run's identifier in the database.
    public var runID: String { "new-\(name)" }

    /// Names `micro new` accepts: a directory and an executable name.
    public static func validate(name: String) throws(GeneratorError) {
        guard AppDesign.NamePattern.kebab.matches(name) else {
            throw GeneratorError(.invalidName, "\"\(name)\" is not a package name: lower-kebab-case, e.g. notes-desk")
        }
        let module = Naming.upperCamel(name)
        if module.hasPrefix("Micro") || ["Foundation", "Testing", "Logging", "Yams", "GRDB", "ArgumentParser"].contains(module) {
            throw GeneratorError(.invalidName, "\"\(name)\" would name its module \(module), which Micro or its dependencies use")
        }
    }
}

/// The generator: one agent (`micro-new`) on the runtime, with the `design`, `workspace` and `package`
/// services as its tools, checkpointed in a SQLite file at every juncture. The model designs (one
/// `design_submit` call, paused for approval unless accepted up front), writes the logic files, builds and
/// fixes what the compiler reports until the build is green or the rounds are spent.
public struct Generator: Sendable {
    public static let agentName = "micro-new"
    static let namespace = "micro-new"

    public let configuration: GeneratorConfiguration
    public let runtime: Runtime
    public let runner: AgentRunner
    public let toolchain: any Toolchain

    /// A generator on `db` (created when missing). `onCheckpoint` runs after each commit (crash tests).
    public init(
        configuration: GeneratorConfiguration, model: any Model, toolchain: any Toolchain, db: String, owner: String? = nil,
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil
    ) async throws {
        let environment = Environment.live
        var runtime = Runtime.inMemory(environment: environment)
        runtime.store = try SQLiteStore(path: db, environment: environment)
        let workspace = try Workspace(directory: configuration.directory)
        let ledger = SideEffectLedger(store: runtime.store)
        try await runtime.serve([
            DesignService.service(name: configuration.name, micro: configuration.micro, workspace: workspace, store: runtime.store),
            WorkspaceService.service(workspace),
            PackageService.service(
                directory: workspace.root, toolchain: toolchain, maxFixRounds: configuration.maxFixRounds,
                timeout: .seconds(configuration.buildTimeoutSeconds), store: runtime.store, ledger: ledger),
        ])
        let approval = configuration.acceptDesign
            ? ToolApproval.allowAll : ToolApproval([ToolApproval.Rule("\(DesignService.name)_submit", .ask)])
        let agent = Agent(
            name: Self.agentName, description: "Generates a Micro agent service from a prompt.",
            instructions: Self.instructions(maxFixRounds: configuration.maxFixRounds), model: WithoutBuiltinTools(model),
            tools: .services([DesignService.name, WorkspaceService.name, PackageService.name]),
            guardrails: Guardrails(
                maxSteps: 16 + 4 * configuration.maxFixRounds, maxIdenticalCalls: configuration.maxFixRounds + 2,
                retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(20))),
            approval: approval)
        self.configuration = configuration
        self.runtime = runtime
        self.toolchain = toolchain
        runner = AgentRunner(
            runtime: runtime, checkpointer: try SQLiteCheckpointer(path: db), agents: [agent],
            owner: owner ?? "micro-new@\(ProcessInfo.processInfo.processIdentifier)", leaseDuration: .seconds(60),
            onCheckpoint: onCheckpoint)
    }

    /// The agent's instructions.
    static func instructions(maxFixRounds: Int) -> String {
        """
        You generate a Swift package on Micro, an agent runtime, from the user's request. Work in this order:
        1. Design: call design_submit once with the whole design (typed services and endpoints, agents with the \
        services they may call, scenarios worth testing). Its answer lists the files written from the design and \
        the logic files you write next.
        2. Logic: write each listed logic file with workspace_write_file, declaring exactly what it lists. Use only \
        Swift and Foundation; keep it small and deterministic.
        3. Build: call package_build. When it fails, read the diagnostics (file, line, message), fix the files \
        (workspace_read_file, workspace_write_file) and build again; at most \(maxFixRounds) fix round(s).
        4. When the build succeeds, answer with one short paragraph saying what was built. If it still fails when \
        no builds are left, say what is still wrong.
        """
    }

    /// The configuration kept in `db`'s store.
    public static func configuration(in store: any Store) async throws -> GeneratorConfiguration? {
        try await StoreNamespace(store: store, name: namespace).read("configuration", as: GeneratorConfiguration.self)
    }

    /// Starts the generation (keeping the configuration first).
    public func start() async throws -> RunResult {
        try await StoreNamespace(store: runtime.store, name: Self.namespace).write("configuration", configuration)
        return try await runner.run(
            Self.agentName, input: "Generate the package \(configuration.name) for this request:\n\(configuration.prompt)",
            runID: configuration.runID)
    }

    /// Resumes it from its latest checkpoint, answering a pending question with `input` when given.
    public func resume(input: String?) async throws -> RunResult {
        if let input { return try await runner.resume(runID: configuration.runID, input: input) }
        return try await runner.resume(runID: configuration.runID)
    }

    /// The design waiting for approval in `result`, if it is paused on one.
    public static func pendingDesign(_ result: RunResult) -> AppDesign? {
        guard result.status == .waitingForInput, let approval = result.inputRequest?.approval else { return nil }
        return try? JSONValueDecoder().decode(AppDesign.self, from: approval.arguments)
    }

    /// What was built: the design, every build, and, when the last build is green, the scenarios run
    /// (`swift run NAME test Scenarios`).
    public func conclude(_ result: RunResult) async throws -> GenerationReport {
        let builds = try await PackageService.reports(in: runtime.store)
        let buildStarts = try await SideEffectLedger(store: runtime.store).entries().filter { $0.kind == PackageService.buildEffect }.count
        var report = GenerationReport(
            name: configuration.name, directory: configuration.directory, status: result.status.rawValue, output: result.output,
            failure: result.failure.map { "\($0)" }, design: try await DesignService.accepted(in: runtime.store), builds: builds,
            buildStarts: buildStarts, scenarios: nil)
        if result.status == .completed, builds.last?.succeeded == true {
            let run = try await toolchain.runScenarios(
                packageAt: configuration.directory, executable: configuration.name, timeout: .seconds(configuration.buildTimeoutSeconds))
            report.scenarios = GenerationReport.ScenarioRun(passed: run.succeeded, summary: ScenarioOutput.summary(run.output))
        }
        return report
    }
}

/// A generation that cannot start.
public struct GeneratorError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let invalidName = Code(rawValue: "invalid_name")
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}
