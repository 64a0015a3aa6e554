/// A message on a ``Broker``: an identifier, string headers and an opaque body.
public struct BrokerMessage: Sendable, Hashable {
    /// The header in which brokers put the topic a delivered message was published on (as Go Micro does).
    public static let topicHeader = "Micro-Topic"

    /// Unique identifier; left empty, the broker assigns one on publish.
    public var id: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(id: String = "", headers: [String: String] = [:], body: [UInt8]) {
        self.id = id
        self.headers = headers
        self.body = body
    }

    /// The topic this message was published on, for a delivered message.
    public var topic: String? { headers[Self.topicHeader] }
}
