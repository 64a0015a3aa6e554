import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroNew
import MicroProviders
import MicroSQLite

struct NewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Generate a running, tested agent service from a prompt, with our own agents.",
        discussion: """
            The generator is an agent on Micro's runtime, checkpointed in --db at every juncture. It designs the \
            package (one model call; the design is validated against a JSON Schema derived from Swift types and shown \
            as a plan: --yes accepts it, else answer yes, no[: why] or edit FILE with an edited design), writes it \
            into NAME/ through tools scoped to that directory, runs swift build and fixes what the compiler reports \
            (at most --max-fix-rounds rounds), then runs the package's scenarios (swift run NAME test Scenarios). \
            A killed run resumes with micro new NAME --resume or micro runs resume new-NAME --db FILE. Every model \
            call goes through --record FILE (a cassette) or replays from --cassette FILE.
            """)

    @Argument(help: "The package name (lower-kebab-case): its directory and its executable.") var name: String
    @Option(help: "What to build.") var prompt: String?
    @Option(help: "The provider (see micro providers).") var provider = "openai"
    @Option(help: "The model (default: the provider's).") var model: String?
    @Option(name: .customLong("base-url"), help: "The API base URL (default: the provider's).") var baseURL: String?
    @Option(help: "Replay every model call from this cassette (no network, no key).") var cassette: String?
    @Option(help: "Record every model call into this cassette.") var record: String?
    @Option(name: .customLong("record-notes"), help: "Notes kept in the recorded cassette's metadata.") var recordNotes: String?
    @Flag(help: "Accept the design without asking.") var yes = false
    @Flag(help: "Print the design and the report as JSON.") var json = false
    @Option(name: .customLong("max-fix-rounds"), help: "Builds after the first one that may fix compile errors.") var maxFixRounds = 3
    @Option(help: "The SQLite file keeping the run's checkpoints (default: NAME.new.sqlite).") var db: String?
    @Flag(help: "Resume the run kept in --db instead of starting one.") var resume = false
    @Option(help: "With --resume: the answer to the question the run is paused on.") var input: String?
    @Option(name: .customLong("build-timeout"), help: "Seconds one swift build or scenario run may take.") var buildTimeout = 1800
    @Option(name: .customLong("micro-path"), help: "Depend on Micro at this path (default: by path inside this repository, else by URL).")
    var microPath: String?
    @Option(name: .customLong("crash-after"), help: .hidden) var crashAfter: Int?

    func validate() throws {
        do { try GeneratorConfiguration.validate(name: name) } catch { throw ValidationError(error.description) }
        guard maxFixRounds >= 0 else { throw ValidationError("--max-fix-rounds must be at least 0") }
        guard buildTimeout >= 1 else { throw ValidationError("--build-timeout must be at least 1") }
        if !resume, prompt?.isEmpty ?? true { throw ValidationError("--prompt is required (or --resume)") }
        if input != nil, !resume { throw ValidationError("--input answers a paused run: use it with --resume") }
        if cassette != nil, record != nil { throw ValidationError("--cassette replays and --record records: give one") }
        guard ProviderCatalog.entry(provider) != nil else {
            throw ValidationError("unknown provider \(provider); providers: \(ProviderCatalog.entries.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let database = db ?? "\(name).new.sqlite"
        if resume {
            try await Self.resume(db: database, input: input, json: json, crashAfter: crashAfter)
            return
        }
        let directory = URL(fileURLWithPath: name).standardizedFileURL.path
        let micro: MicroDependency = microPath.map { .path(MicroDependency.relativePath(from: directory, to: $0)) }
            ?? MicroDependency.detect(for: directory)
        var modelSettings = ["provider": provider]
        modelSettings["model"] = model
        modelSettings["baseURL"] = baseURL
        modelSettings["cassette"] = cassette.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        modelSettings["record"] = record.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        modelSettings["recordNotes"] = recordNotes
        let configuration = GeneratorConfiguration(
            name: name, directory: directory, prompt: prompt ?? "", maxFixRounds: maxFixRounds, acceptDesign: yes, micro: micro,
            buildTimeoutSeconds: buildTimeout, model: modelSettings)
        let start = ContinuousClock.now
        let (generator, recording, timer) = try await Self.generator(configuration, db: database, resuming: false, crashAfter: crashAfter)
        let result: RunResult
        do {
            result = try await generator.start()
        } catch let error as AgentError where error.code == .runExists {
            throw ValidationError("\(database) already holds the run \(configuration.runID): resume it with --resume, or use another --db")
        }
        try await Self.drive(generator, result, recording: recording, timer: timer, started: start, db: database, json: json)
    }

    /// Resumes the generation kept in `db` (also what `micro runs resume` calls for a `micro new` run).
    static func resume(db: String, input: String?, json: Bool, crashAfter: Int? = nil) async throws {
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("no database at \(db)") }
        guard let configuration = try await Generator.configuration(in: SQLiteStore(path: db)) else {
            throw ValidationError("\(db) holds no micro new run")
        }
        let start = ContinuousClock.now
        let (generator, recording, timer) = try await generator(configuration, db: db, resuming: true, crashAfter: crashAfter)
        let result = try await generator.resume(input: input)
        try await drive(generator, result, recording: recording, timer: timer, started: start, db: db, json: json)
    }

    /// The generator for `configuration`, its model built from the configuration's settings.
    static func generator(
        _ configuration: GeneratorConfiguration, db: String, resuming: Bool, crashAfter: Int?
    ) async throws -> (Generator, RecordingTransport?, TimedToolchain) {
        let settings = configuration.model
        let provider = settings["provider"] ?? "openai"
        var environment = ProcessInfo.processInfo.environment
        let stand = settings["cassette"] != nil || (settings["baseURL"].map(ProviderCatalog.isLoopback) ?? false)
        if stand, let entry = ProviderCatalog.entry(provider), !entry.apiKeyVariables.contains(where: { environment[$0] != nil }),
            let variable = entry.apiKeyVariables.first
        {
            environment[variable] = "stand-in-needs-no-key"
        }
        var recording: RecordingTransport?
        let transport: any HTTPTransport
        do {
            if let cassette = settings["cassette"] {
                transport = try CassetteTransport(contentsOf: cassette)
            } else if let path = settings["record"] {
                var metadata = Cassette.Metadata.recorded(
                    by: "micro new", upstream: settings["baseURL"], provider: provider, model: settings["model"])
                if let notes = settings["recordNotes"] { metadata.notes = [metadata.notes, notes].compactMap { $0 }.joined(separator: ". ") }
                let made = try RecordingTransport(live: CurlTransport(), path: path, mode: resuming ? .newEpisodes : .all, metadata: metadata)
                recording = made
                transport = made
            } else {
                transport = CurlTransport()
            }
        } catch {
            throw ValidationError("\(error)")
        }
        let model = try ProviderCatalog.model(
            provider, model: settings["model"], baseURL: settings["baseURL"], transport: transport, environment: environment)
        let timer = TimedToolchain(SwiftToolchain())
        let generator = try await Generator(
            configuration: configuration, model: model, toolchain: timer, db: db,
            // One owner per host, not per process: a run killed on this host is taken over at once by the
            // next `micro new --resume` here instead of waiting for the dead process's lease to expire.
            owner: "micro-new@\(ProcessInfo.processInfo.hostName)",
            onCheckpoint: AgentWorld.crash(after: crashAfter))
        return (generator, recording, timer)
    }

    /// Shows the design when the run asks for approval and answers from standard input; prints the report
    /// when it ends. Exit 1 unless the package builds and its scenarios pass.
    static func drive(
        _ generator: Generator, _ first: RunResult, recording: RecordingTransport?, timer: TimedToolchain, started start: ContinuousClock.Instant,
        db: String, json: Bool
    ) async throws {
        let console = Console.current
        var result = first
        while result.status == .waitingForInput {
            guard let design = Generator.pendingDesign(result) else {
                console.out("The generator asks: \(result.inputRequest?.prompt ?? "")")
                console.out("Answer with: micro new \(generator.configuration.name) --resume --db \(db) --input ANSWER")
                try recording?.finish()
                return
            }
            console.out(json ? try JSONValueEncoder().encode(design).prettyString() : design.plan)
            console.out("\nAccept this design? yes | no[: what to change] | edit FILE (an edited design as JSON)")
            guard let line = readLine(strippingNewline: true) else {
                console.out(
                    "The run is paused for your answer: micro new \(generator.configuration.name) --resume --db \(db) --input yes "
                        + "(or micro runs resume \(generator.configuration.runID) --db \(db) --input yes)")
                try recording?.finish()
                return
            }
            result = try await generator.resume(input: try answer(line))
        }
        try recording?.finish()
        let report = try await generator.conclude(result)
        console.out(json ? try JSONValueEncoder().encode(report).prettyString() : report.text)
        let (build, scenarios) = timer.time
        let total = ContinuousClock.now - start
        console.err(
            "time in this process: \(Self.seconds(total)) s in all, \(Self.seconds(build)) s in swift build, \(Self.seconds(scenarios)) s running "
                + "the scenarios, \(Self.seconds(total - build - scenarios)) s the rest (model calls, tools, checkpoints)")
        if !report.succeeded { throw ExitCode(1) }
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// An answer to the design's approval: `yes`, `no[: why]`, or `edit FILE` (the edited design's JSON).
    static func answer(_ line: String) throws -> String {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("edit ") else { return trimmed }
        let path = String(trimmed.dropFirst(5)).trimmingCharacters(in: .whitespaces)
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        let edited: JSONValue
        do { edited = try JSONValue(parsing: Array(data)) } catch { throw ValidationError("\(path): \(error)") }
        let answer: JSONValue = ["approve": true, "arguments": edited]
        return answer.canonicalString()
    }
}
