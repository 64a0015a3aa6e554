import Foundation
import Micro
import MicroAgent
import MicroProviders
import Synchronization

/// How to record a scenario's provider sessions instead of replaying them.
public struct RecordingOptions: Sendable, Hashable {
    /// What to do with an existing cassette.
    public var mode: CassetteMode
    /// Base URLs by provider (a proxy or a loopback stand-in); others talk to the scenario's, or the provider's.
    public var baseURLs: [String: String]

    public init(mode: CassetteMode = .once, baseURLs: [String: String] = [:]) {
        self.mode = mode
        self.baseURLs = baseURLs
    }
}

extension ScenarioRunner {
    /// Runs `scenario` with its recorded-model agents talking to their live providers (keys from the
    /// environment; real time on the wire) and writes their cassettes, redacted, where the scenario names
    /// them. A cassette recorded from a loopback URL is marked `documented-example`, never `live`.
    public static func record(_ scenario: Scenario, options: RecordingOptions) async -> ScenarioOutcome {
        var scenario = scenario
        for (provider, url) in options.baseURLs {
            for index in scenario.agents.indices {
                guard case .recorded(provider, let model, let cassette, _) = scenario.agents[index].model.backend else { continue }
                scenario.agents[index].model.backend = .recorded(provider: provider, model: model, cassette: cassette, baseURL: url)
            }
        }
        let recorders = Mutex<[RecordingTransport]>([])
        let name = scenario.name
        let resolve = scenario.resolve
        var outcome = await run(scenario, liveTransport: { spec in
            guard case .recorded(let provider, let model, let cassette, let baseURL) = spec.model.backend else { return nil }
            let metadata = Cassette.Metadata.recorded(
                by: "micro test --record", upstream: baseURL, provider: provider, model: model,
                liveNotes: "recorded by micro test --record from scenario \(name)")
            let transport = try RecordingTransport(live: CurlTransport(), path: resolve(cassette), mode: options.mode, metadata: metadata)
            recorders.withLock { $0.append(transport) }
            return transport
        })
        for transport in recorders.withLock({ $0 }) {
            do {
                try transport.finish()
            } catch {
                outcome.checks.append(.init(name: "recording", line: 0, passed: false, message: "writing the cassette failed: \(error)"))
            }
        }
        return outcome
    }

    /// Writes the golden Trace files `outcome`'s scenario expects (`golden_trace:`) from its run; returns the
    /// files written.
    @discardableResult
    public static func updateGoldenTraces(_ outcome: ScenarioOutcome) throws -> [String] {
        var written: [String] = []
        for spec in outcome.scenario.expectations {
            guard let golden = spec.expectation as? GoldenTraceExpectation else { continue }
            try outcome.record.traceText.write(toFile: golden.file, atomically: true, encoding: .utf8)
            written.append(golden.file)
        }
        return written
    }
}
