import Micro
import MicroNATS
import MicroTesting
import Testing

/// The ``Broker`` contract against ``NATSBroker`` on a real nats-server (one per check).
@Suite struct NATSBrokerContractTests {
    /// Waits for the server after each publish, as the contract's read-by-draining checks assume.
    struct FlushingBroker: Broker {
        let base: NATSBroker
        func publish(_ message: BrokerMessage, to topic: String) async throws {
            try await base.publish(message, to: topic)
            try await base.flush()
        }
        func subscribe(to topic: String, options: BrokerSubscription.Options) async throws -> BrokerSubscription {
            try await base.subscribe(to: topic, options: options)
        }
    }

    static let subject = ContractSubject<any Broker>("NATSBroker") { environment, body in
        try await NATSServerProcess.with { server in
            try await NATSBroker.withBroker(try NATSServerProcess.configuration(server.url), environment: environment) { broker in
                try await body(FlushingBroker(base: broker))
            }
        }
    }

    @Test(.enabled(if: NATSServerProcess.isAvailable, NATSServerProcess.skipReason), arguments: BrokerContract.checks)
    func contract(_ check: ContractCheck<any Broker>) async throws {
        try await check.run(on: Self.subject)
    }
}
