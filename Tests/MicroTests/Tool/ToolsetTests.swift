import Micro
import Synchronization
import Testing

private struct Greeting: Codable, Sendable, SchemaDescribing {
    enum Tone: String, Codable, Sendable, CaseIterable { case warm, formal }
    var name: String
    var times: Int
    var tone: Tone?
    static var fieldDescriptions: [String: String] { ["name": "Who to greet.", "times": "How often."] }
}

private struct Greeted: Codable, Sendable, Hashable {
    var text: String
}

private func greeter(calls: Counter? = nil) -> Service {
    Service("demo.greeter", description: "Greets people.") {
        Endpoint("greet", description: "Greet someone.") { (request: Greeting, context: CallContext) -> Greeted in
            calls?.increment(context.idempotencyKey)
            guard request.times > 0 else { throw ServiceError(.rejected, "times must be positive") }
            let word = request.tone == .formal ? "Good day" : "Hi"
            return Greeted(text: Array(repeating: "\(word), \(request.name)!", count: request.times).joined(separator: " "))
        }
        Endpoint("slow", description: "Takes a virtual minute.") { (request: Greeting, context: CallContext) -> Greeted in
            try await context.environment.sleep(for: .seconds(60))
            return Greeted(text: request.name)
        }
    }
}

final class Counter: Sendable {
    private let keys = Mutex<[String]>([])
    func increment(_ key: String) { keys.withLock { $0.append(key) } }
    var calls: [String] { keys.withLock { $0 } }
}


@Suite struct ToolsetTests {
    let environment = Environment.simulated(seed: 7)

    func runtime(_ services: Service...) async throws -> Runtime {
        let runtime = Runtime.inMemory(environment: environment)
        try await runtime.serve(services)
        return runtime
    }

    func context() -> CallContext { CallContext.standalone(caller: "test", environment: environment) }

    @Test func endpointsBecomeToolsWithDerivedSchemas() async throws {
        let toolset = try await runtime(greeter()).toolset()
        #expect(toolset.specs.map(\.name) == ["demo_greeter_greet", "demo_greeter_slow"])
        let spec = try #require(toolset.tool(named: "demo_greeter_greet")).spec
        #expect(spec.description == "Greet someone.")
        let schema = spec.inputSchema.jsonValue
        #expect(schema["type"] == "object")
        #expect(schema["required"] == ["name", "times"])
        #expect(schema["properties"]?["times"]?["type"] == "integer")
        #expect(schema["properties"]?["name"]?["description"] == "Who to greet.")
        #expect(schema["properties"]?["tone"]?["enum"] == ["warm", "formal", nil])  // optional: null allowed
        #expect(spec.outputSchema?.jsonValue["properties"]?["text"]?["type"] == "string")
        #expect(toolset.tool(named: "demo_greeter_greet")?.target == ToolTarget(service: "demo.greeter", endpoint: "greet"))
    }

    @Test func callsValidateDispatchAndEncode() async throws {
        let counter = Counter()
        let toolset = try await runtime(greeter(calls: counter)).toolset()
        let result = try await toolset.call(
            "demo_greeter_greet", arguments: ["name": "Ada", "times": 2, "tone": "formal"], context: context())
        #expect(result == ToolResult(content: ["text": "Good day, Ada! Good day, Ada!"]))
        #expect(counter.calls.count == 1)
    }

    @Test func invalidArgumentsListEveryViolationWithItsPathAndNeverReachTheHandler() async throws {
        let counter = Counter()
        let toolset = try await runtime(greeter(calls: counter)).toolset()
        let result = try await toolset.call(
            "demo_greeter_greet", arguments: ["times": "two", "tone": "rude", "extra": true], context: context())
        #expect(result.isError)
        #expect(result.content["error"]?["code"] == "invalid_arguments")
        let paths = Set(result.content["error"]?["details"]?["violations"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? [])
        #expect(paths == ["$", "$.times", "$.tone", "$.extra"])
        #expect(counter.calls.isEmpty)
    }

    @Test(arguments: [JSONValue.null, "text", [1, 2], 3])
    func nonObjectArgumentsAreRejected(arguments: JSONValue) async throws {
        let toolset = try await runtime(greeter()).toolset()
        let result = try await toolset.call("demo_greeter_greet", arguments: arguments, context: context())
        #expect(result.isError)
        #expect(result.content["error"]?["code"] == "invalid_arguments")
    }

    @Test func handlerErrorsBecomeErrorResults() async throws {
        let toolset = try await runtime(greeter()).toolset()
        let result = try await toolset.call("demo_greeter_greet", arguments: ["name": "Ada", "times": 0], context: context())
        #expect(result == .failure(ServiceError(.rejected, "times must be positive")))
    }

    @Test func unknownToolsSuggestTheNearestNames() async throws {
        let toolset = try await runtime(greeter()).toolset()
        let result = try await toolset.call("demo_greeter_gret", arguments: [:], context: context())
        #expect(result.isError)
        #expect(result.content["error"]?["code"] == "not_found")
        #expect(result.content["error"]?["details"]?["suggestions"]?[0] == "demo_greeter_greet")
        #expect(toolset.nearestNames(to: "greet").first == "demo_greeter_greet")
    }

    @Test func anExplicitlyEmptyScopeMeansNoServiceTools() async throws {
        let runtime = try await runtime(greeter())
        #expect(try await runtime.toolset(scope: .services([])).tools.isEmpty)
        #expect(try await runtime.toolset(scope: .services(["demo.greeter"])).tools.count == 2)
        await #expect(throws: ServiceError.self) { try await runtime.toolset(scope: .services(["nope"])) }
    }

    @Test func deadlinesAreEnforcedOnTheInjectedClock() async throws {
        let toolset = try await runtime(greeter()).toolset()
        var context = context()
        context.deadline = environment.now().advanced(by: .seconds(30))
        let result = try await toolset.call("demo_greeter_slow", arguments: ["name": "Ada", "times": 1], context: context)
        #expect(result.content["error"]?["code"] == "deadline_exceeded")
    }

    @Test func freeStandingToolsJoinAndNameClashesAreDetected() async throws {
        let toolset = try await runtime(greeter()).toolset()
        let echo = try Tool(name: "echo", description: "Echo.") { (request: Greeted, _: CallContext) in request }
        let extended = try toolset.adding([echo])
        #expect(extended.specs.map(\.name) == ["demo_greeter_greet", "demo_greeter_slow", "echo"])
        let result = try await extended.call("echo", arguments: ["text": "hi"], context: context())
        #expect(result == ToolResult(content: ["text": "hi"]))
        let clash = try Tool(name: "demo_greeter_greet", description: "Clash.") { (r: Greeted, _: CallContext) in r }
        #expect(throws: ServiceError.self) { try toolset.adding([clash]) }
        #expect(throws: ServiceError.self) { try Tool(name: "bad name", description: "") { (r: Greeted, _: CallContext) in r } }
    }

    @Test func invalidServiceDefinitionsAreRejectedAtRegistration() async throws {
        let runtime = Runtime.inMemory(environment: environment)
        let badName = Service("bad name") { Endpoint("x", description: "") { (r: Greeted, _: CallContext) in r } }
        await #expect(throws: ServiceError.self) { try await runtime.serve(badName) }
        let twice = Service("twice") {
            Endpoint("x", description: "") { (r: Greeted, _: CallContext) in r }
            Endpoint("x", description: "") { (r: Greeted, _: CallContext) in r }
        }
        await #expect(throws: ServiceError.self) { try await runtime.serve(twice) }
        #expect(try await runtime.registry.listServices().isEmpty)
    }

    @Test func servicesCallEachOtherThroughTheClient() async throws {
        let runtime = try await runtime(greeter())
        let greeted = try await runtime.client.call(
            "demo.greeter", "greet", request: Greeting(name: "Grace", times: 1), as: Greeted.self, context: context())
        #expect(greeted.text == "Hi, Grace!")
        await #expect(throws: ServiceError.self) {
            try await runtime.client.call("missing", "greet", request: JSONValue.object([:]), context: context())
        }
    }
}
