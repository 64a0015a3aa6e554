import Micro
import Synchronization

/// The `bus` service scenarios offer agents to talk over the broker: `publish` sends a message to a topic
/// through the world's broker (where broker faults apply), `receive` takes the messages delivered on a topic
/// so far. Deliveries are collected by a ``Mailboxes`` broker under the fault layer, so what an agent
/// receives is exactly what the broker delivered — dropped, duplicated or delayed — in a deterministic order.
enum Bus {
    static let name = "bus"

    struct Publish: Codable, Sendable, SchemaDescribing {
        var topic: String
        var message: String
        static var fieldDescriptions: [String: String] {
            ["topic": "Topic to publish on, such as bookings.", "message": "The message text."]
        }
    }

    struct Published: Codable, Sendable {
        var topic: String
        var id: String
    }

    struct Receive: Codable, Sendable, SchemaDescribing {
        var topic: String
        static var fieldDescriptions: [String: String] { ["topic": "Topic to take the delivered messages of."] }
    }

    struct Received: Codable, Sendable {
        var topic: String
        var messages: [String]
    }

    static func service(broker: any Broker, mailboxes: Mailboxes) -> Service {
        Service(name, description: "Publish and receive messages between agents over the message broker.") {
            Endpoint("publish", description: "Publish a message on a topic for other agents.") {
                (request: Publish, context: CallContext) in
                let id = "\(context.idempotencyKey)"
                try await broker.publish(BrokerMessage(id: id, body: Array(request.message.utf8)), to: request.topic)
                return Published(topic: request.topic, id: id)
            }
            Endpoint("receive", description: "Take the messages delivered on a topic since the last receive.") {
                (request: Receive, _: CallContext) in
                Received(topic: request.topic, messages: mailboxes.take(request.topic).map { String(decoding: $0.body, as: UTF8.self) })
            }
        }
    }
}

/// A broker that keeps, per topic, the messages delivered through it until the bus takes them, and passes
/// everything on to `base` for real subscribers.
final class Mailboxes: Broker {
    let base: any Broker
    private let boxes = Mutex<[String: [BrokerMessage]]>([:])

    init(base: any Broker) { self.base = base }

    func publish(_ message: BrokerMessage, to topic: String) async throws {
        try await base.publish(message, to: topic)
        boxes.withLock { $0[topic, default: []].append(message) }
    }

    func subscribe(to topic: String, options: BrokerSubscription.Options) async throws -> BrokerSubscription {
        try await base.subscribe(to: topic, options: options)
    }

    func take(_ topic: String) -> [BrokerMessage] {
        boxes.withLock { boxes in
            defer { boxes[topic] = nil }
            return boxes[topic] ?? []
        }
    }
}
