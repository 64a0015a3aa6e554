/// A change seen by a ``Registry`` watcher.
public struct RegistryEvent: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        /// A service version appeared (its first node registered).
        case created
        /// A version's nodes, metadata or endpoints changed.
        case updated
        /// A version's last node was deregistered or expired.
        case deleted
    }

    public var kind: Kind
    /// The version after the change; for `deleted`, as it was just before.
    public var service: ServiceRecord
    /// When the registry saw the change (its environment's `now`).
    public var timestamp: Timestamp

    public init(kind: Kind, service: ServiceRecord, timestamp: Timestamp) {
        self.kind = kind
        self.service = service
        self.timestamp = timestamp
    }
}
