import ArgumentParser
import Foundation
import MicroProviders
import Hummingbird
import Micro
import MicroMCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the catalogue's services over MCP, or list and call the tools of another MCP server.",
        subcommands: [Serve.self, Tools.self, Call.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the catalogue's services' tools (the travel example's for micro), the registry and the agents' prompts over MCP.",
            discussion: """
                --stdio (the default) reads newline-delimited JSON-RPC on stdin and writes it on stdout; logs go \
                to stderr. --http PORT serves Streamable HTTP on http://HOST:PORT/mcp (0 picks a free port).
                """)

        @Flag(help: "Serve on stdin/stdout.") var stdio = false
        @Option(help: "Serve Streamable HTTP on this port.") var http: Int?
        @Option(help: "Address to bind for --http (loopback by default).") var host = "127.0.0.1"
        @Option(help: "Require `Authorization: Bearer TOKEN` on every HTTP request (also MICRO_MCP_TOKEN, or --token-file).")
        var token: String?
        @Option(name: .customLong("token-file"), help: "Read the bearer token from this file (keeps it off the command line).")
        var tokenFile: String?
        @Flag(help: "Allow binding an address that is not loopback without a token (anyone who reaches it can call the tools).")
        var insecure = false
        @Option(name: .customLong("allow-origin"), help: "An Origin to accept besides loopback ones (repeatable).")
        var allowedOrigins: [String] = []
        @Option(help: "SQLite file for the services' store.") var db: String?
        @OptionGroup var brokerOption: BrokerOption
        @OptionGroup var registryOption: RegistryOption

        func validate() throws {
            if stdio && http != nil { throw ValidationError("choose one of --stdio and --http PORT") }
            if token != nil && tokenFile != nil { throw ValidationError("give --token or --token-file, not both") }
            if http != nil, !ProviderCatalog.isLoopback("http://\(host)/"), try resolvedToken() == nil, !insecure {
                throw ValidationError(
                    "--host \(host) is not loopback: give a token (--token-file, MICRO_MCP_TOKEN or --token) or pass --insecure")
            }
        }

        /// The token from --token, --token-file or MICRO_MCP_TOKEN, in that order.
        func resolvedToken() throws -> String? {
            try ServerToken.resolve(flag: token, file: tokenFile, variable: "MICRO_MCP_TOKEN")
        }

        func run() async throws {
            try await registryOption.withRegistry { registry in
                try await brokerOption.withBroker { broker in try await serve(broker: broker, registry: registry) }
            }
        }

        private func serve(broker: any Broker, registry: (any Registry)?) async throws {
            let runtime = try await AgentWorld.catalogRuntime(db: db, broker: broker, registry: registry)
            let catalog = CLICatalog.current
            let server = MCPServer(
                runtime: runtime,
                prompts: catalog.agents.map { MCPPrompt(name: $0.name, description: $0.description, instructions: $0.instructions) },
                info: MCPServer.Info(
                    name: CLICatalog.commandName, version: MicroVersion.number,
                    instructions: "Tools of the services: " + catalog.services.map(\.name).joined(separator: ", ") + "."))
            let console = Console.current
            guard let port = http else {
                console.err("micro mcp: serving on stdio")
                try await MCPStdioServer(server: server).run()
                return
            }
            let http = MCPHTTPServer(
                server: server, host: host, port: port, token: try resolvedToken(), allowedOrigins: Set(allowedOrigins),
                logger: .quiet("micro-mcp"))
            let host = self.host
            try await http.application { port in
                console.out("serving MCP on http://\(host):\(port)/mcp")
            }.runService()
        }
    }

    /// How to reach the server named on the command line.
    struct ServerOptions: ParsableArguments {
        @Argument(help: "The server: a command line (\"python3 server.py\") or an http(s) URL.") var server: String
        @Option(help: "Bearer token for an HTTP server.") var token: String?
        @Option(help: "Protocol era: auto (discover, else initialize), legacy (initialize) or modern (2026-07-28).")
        var mode: MCPClient.Mode = .auto

        /// Connects, runs `body`, and closes the connection.
        func withClient<R>(_ body: (MCPClient) async throws -> R) async throws -> R {
            let transport: any MCPClientTransport
            if server.hasPrefix("http://") || server.hasPrefix("https://") {
                transport = MCPHTTPClientTransport(url: server, token: token)
            } else {
                transport = try MCPStdioClientTransport(command: MCPStdioClientTransport.words(server))
            }
            let client = MCPClient(transport: transport, mode: mode, name: "micro", version: MicroVersion.number)
            do {
                try await client.connect()
                let result = try await body(client)
                await client.close()
                return result
            } catch {
                await client.close()
                throw error
            }
        }
    }

    struct Tools: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tools of an MCP server.")

        @OptionGroup var target: ServerOptions
        @Flag(help: "Print a JSON array of {name, description, inputSchema, outputSchema?}.") var json = false

        func run() async throws {
            let tools = try await target.withClient { try await $0.listTools() }
            let console = Console.current
            if json {
                console.out(JSONValue.array(tools.map(\.json)).canonicalString())
                return
            }
            for tool in tools { console.out("\(tool.name)  —  \(tool.description)") }
            console.out("\(tools.count) tools")
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Call one tool of an MCP server and print its result.")

        @OptionGroup var target: ServerOptions
        @Argument(help: "The tool name.") var name: String
        @Option(help: "The arguments as a JSON object.") var args = "{}"
        @Flag(help: "Print {content, structuredContent?, isError} as canonical JSON.") var json = false

        func run() async throws {
            let console = Console.current
            let arguments = try console.arguments(args)
            let result = try await target.withClient { try await $0.callTool(name, arguments: arguments) }
            if json {
                console.out(result.json.canonicalString())
            } else if result.isError {
                console.err("error: \(result.text)")
            } else {
                console.out(result.structuredContent?.prettyString() ?? result.text)
            }
            if result.isError { throw ExitCode(1) }
        }
    }
}

extension MCPClient.Mode: ExpressibleByArgument {}
