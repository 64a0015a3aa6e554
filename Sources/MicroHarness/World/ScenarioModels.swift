import Foundation
import Micro
import MicroAgent
import MicroProviders

/// Builds the model backends of scenario agents.
public enum ScenarioModels {
    /// Providers a recorded model may name.
    public static var providers: [String] { ProviderCatalog.entries.map(\.name) }

    /// A fresh model for `spec` (as a new process would build it): scripted turns chosen by assistant turn,
    /// so a resumed run gets the same answers, a provider adapter replaying a cassette with no network, or
    /// a catalogue's model backend built on the world's runtime.
    ///
    /// `injector`, when given, injects the plan's model faults: as wire bytes under a provider adapter, at
    /// the model seam for scripted turns. `meter`, when given, measures every request as it is sent. With
    /// `summarizer`, the model built is that spec's, the agent's memory summarizer (scripted turns then
    /// answer as ``ScriptedSummarizer`` says).
    static func model(
        for agent: AgentSpec, scenario: Scenario, world: WorldRuntime, transport: (any HTTPTransport)? = nil,
        injector: FaultInjector? = nil, meter: RequestMeter? = nil, summarizer: ModelSpec? = nil
    ) throws(ScenarioError) -> (model: any Model, cassette: CassetteTransport?) {
        let spec = summarizer ?? agent.model
        let field = summarizer == nil ? "agents.\(agent.name).model" : "agents.\(agent.name).memory.summarizer"
        let isSummarizer = summarizer != nil
        func measured(_ model: any Model, wire: Bool) -> any Model {
            guard let meter else { return model }
            return MeasuredModel(base: model, agent: agent.name, meter: meter, wire: wire, summarizer: isSummarizer)
        }
        let environment = world.environment
        switch spec.backend {
        case .named(let name):
            guard let make = scenario.catalog.models[name] else {
                throw ScenarioError(
                    file: scenario.file, line: spec.line, field: "\(field).backend",
                    message: "unknown model backend \(name); the scenario was read with another catalogue")
            }
            var model: any Model
            do {
                model = try make(world)
            } catch {
                throw ScenarioError(
                    file: scenario.file, line: spec.line, field: "\(field).backend",
                    message: "the catalogue's model backend \(name) threw: \(error)")
            }
            if let window = spec.contextWindow { model = ContextWindowOverride(base: model, contextWindow: window) }
            model = measured(model, wire: false)
            guard let injector else { return (model, nil) }
            return (FaultModel(base: model, agent: agent.name, injector: injector, environment: environment), nil)
        case .scripted(let turns):
            let info = ModelInfo(
                provider: "scripted", name: isSummarizer ? "\(agent.name)-summarizer" : agent.name,
                contextWindow: spec.contextWindow ?? 200_000)
            let script: any Model = isSummarizer
                ? ScriptedSummarizer(turns: turns, info: info) : ScriptedModel(turns, selection: .byAssistantTurns, info: info)
            let scripted = measured(script, wire: false)
            guard let injector else { return (scripted, nil) }
            return (FaultModel(base: scripted, agent: agent.name, injector: injector, environment: environment), nil)
        case .recorded(let provider, let name, let cassettePath, let baseURL):
            let failure = { (message: String) in
                ScenarioError(file: scenario.file, line: spec.line, field: field, message: message)
            }
            let replay: CassetteTransport?
            var wire: any HTTPTransport
            if let transport {
                replay = nil
                wire = transport
            } else {
                let transport = try Self.replay(
                    cassettePath, agent: agent, scenario: scenario, environment: environment, line: spec.line, field: field)
                replay = transport
                wire = transport
            }
            if let injector { wire = FaultTransport(base: wire, agent: agent.name, provider: provider, injector: injector) }
            if let meter {
                wire = MeasuringTransport(
                    base: wire, agent: agent.name, rule: .provider(provider), meter: meter, summarizer: isSummarizer)
            }
            // Replays need no key; the adapters still want one to build their headers (redacted on disk).
            var keys: [String: String] = [:]
            for entry in ProviderCatalog.entries { for variable in entry.apiKeyVariables { keys[variable] = "replay" } }
            if transport != nil {
                keys = ProcessInfo.processInfo.environment
                // A loopback stand-in needs no key; a live provider gets the one from the environment.
                if let baseURL, ProviderCatalog.isLoopback(baseURL), let entry = ProviderCatalog.entry(provider),
                    !entry.apiKeyVariables.contains(where: { keys[$0] != nil }), let variable = entry.apiKeyVariables.first
                {
                    keys[variable] = "stand-in-needs-no-key"
                }
            }
            var model: any Model
            do {
                model = try ProviderCatalog.model(
                    provider, model: name.isEmpty ? nil : name, baseURL: baseURL, transport: wire, environment: keys,
                    now: environment.now)
            } catch {
                throw failure("\(error)")
            }
            if let window = spec.contextWindow { model = ContextWindowOverride(base: model, contextWindow: window) }
            return (measured(model, wire: true), replay)
        }
    }
}

extension ScenarioModels {
    /// The agent's cassette, ready to replay.
    static func replay(
        _ cassettePath: String, agent: AgentSpec, scenario: Scenario, environment: Environment, line: Int? = nil,
        field: String? = nil
    ) throws(ScenarioError) -> CassetteTransport {
        let path = scenario.resolve(cassettePath)
        do {
            return CassetteTransport(cassette: try Cassette.load(from: path), file: path, environment: environment)
        } catch {
            throw ScenarioError(
                file: scenario.file, line: line ?? agent.model.line, field: "\(field ?? "agents.\(agent.name).model").cassette",
                message: "\(error)")
        }
    }
}

/// A model with a smaller context window than its provider's, to make compaction happen in small scenarios.
struct ContextWindowOverride: Model {
    let base: any Model
    let contextWindow: Int

    var info: ModelInfo {
        var info = base.info
        info.contextWindow = contextWindow
        return info
    }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> { base.stream(request) }
}
