import ArgumentParser
import Micro
import MicroExamples
import MicroSQLite

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "List and call the tools of the catalogue's services (the bundled travel services for micro).",
        subcommands: [List.self, Call.self]
    )

    /// Options shared by the tools subcommands.
    struct WorldOptions: ParsableArguments {
        @Option(help: "SQLite file for the services' store (bookings and the payment ledger persist there).")
        var db: String?

        /// A runtime serving the bundled example services.
        func runtime() async throws -> Runtime { try await AgentWorld.catalogRuntime(db: db) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every tool with its description and input schema.")

        @Flag(help: "Print a JSON array of {name, description, inputSchema, outputSchema}.")
        var json = false

        @OptionGroup var world: WorldOptions

        func run() async throws {
            let toolset = try await world.runtime().toolset()
            let console = Console.current
            if json {
                console.out(JSONValue.array(toolset.specs.map(\.jsonValue)).prettyString())
                return
            }
            for spec in toolset.specs {
                console.out("\(spec.name)  —  \(spec.description)")
                let properties = spec.inputSchema.jsonValue["properties"]?.objectValue ?? [:]
                let required = Set(spec.inputSchema.jsonValue["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                for (name, schema) in properties.sorted(by: { $0.key < $1.key }) {
                    let type = Self.typeName(schema)
                    let note = schema["description"]?.stringValue.map { "  \($0)" } ?? ""
                    console.out("    \(name): \(type)\(required.contains(name) ? "" : "?")\(note)")
                }
            }
            console.out("\(toolset.specs.count) tools")
        }

        /// A short type for people: `integer`, `string (economy|business)`, `array of object`, `any`.
        static func typeName(_ schema: JSONValue) -> String {
            if let values = schema["enum"]?.arrayValue {
                return values.filter { !$0.isNull }.map { $0.stringValue ?? $0.canonicalString() }.joined(separator: "|")
            }
            let types = schema["type"]?.arrayValue?.compactMap(\.stringValue) ?? schema["type"]?.stringValue.map { [$0] } ?? []
            guard let type = types.first(where: { $0 != "null" }) else { return schema["$ref"] != nil ? "object" : "any" }
            if type == "array", let items = schema["items"] { return "array of \(typeName(items))" }
            return type
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call one tool with JSON arguments and print its result.")

        @Argument(help: "The tool name, as `micro tools list` prints it.")
        var name: String

        @Option(help: "The arguments as a JSON object.")
        var args: String = "{}"

        @Flag(help: "Print {content, isError} as canonical JSON.")
        var json = false

        @OptionGroup var world: WorldOptions

        func run() async throws {
            let console = Console.current
            let arguments = try console.arguments(args)
            let runtime = try await world.runtime()
            let toolset = try await runtime.toolset()
            let context = CallContext.standalone(caller: "cli", environment: runtime.environment)
            let result = try await toolset.call(name, arguments: arguments, context: context)
            if json {
                console.out(JSONValue.object(["content": result.content, "isError": .bool(result.isError)]).canonicalString())
            } else if result.isError {
                console.err("error: " + (result.content["error"]?["message"]?.stringValue ?? result.content.canonicalString()))
            } else {
                console.out(result.content.prettyString())
            }
            if result.isError {
                let code = result.content["error"]?["code"]?.stringValue
                throw ExitCode(code == ServiceError.Code.notFound.rawValue && toolset.tool(named: name) == nil ? 3 : 1)
            }
        }
    }
}
