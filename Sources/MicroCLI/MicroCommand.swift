import ArgumentParser
import Micro
import MicroProviders
import MicroSQLite

/// The `micro` command line.
public struct MicroCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: CLICatalog.commandName,
        abstract: "Agent runtime and deterministic test harness: services as AI tools, recorded LLMs, chaos runs.",
        version: MicroVersion.description,
        subcommands: [
            ToolsCommand.self, DemoCommand.self, RunsCommand.self, ProvidersCommand.self, ReplayCommand.self,
            StandInCommand.self, RecordCommand.self, TestCommand.self, RunCommand.self, ChaosCommand.self,
            MCPCommand.self, A2ACommand.self, CheckCommand.self, CassettesCommand.self,
            DiffCommand.self, ExportOTelCommand.self, ReplayHistoryCommand.self, FlowCommand.self, NewCommand.self, WorkerCommand.self,
        ]
    )

    public init() {}
}

/// The version of Micro and of the system libraries it runs on.
public enum MicroVersion {
    public static let number = "0.1.0"
    public static var description: String {
        "micro \(number) (\(Curl.versionDescription), SQLite \(SQLiteStore.sqliteVersion))"
    }
}
