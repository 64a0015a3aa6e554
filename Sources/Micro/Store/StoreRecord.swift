/// One record of a ``Store``: bytes under a key, with string metadata and an optional expiry.
///
/// The value is `[UInt8]` rather than Foundation `Data`: a plain standard-library value type (Sendable,
/// no Foundation in the protocol surface, no slice-index surprises), matching swift-nio and
/// swift-subprocess. Use ``StoreNamespace``'s typed `read(_:as:)`/`write(_:encoding:…)` for `Codable`s.
public struct StoreRecord: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    public var metadata: [String: String]
    /// When the record stops being visible (exclusive: at `expiresAt` it is already gone); nil = never.
    public var expiresAt: Timestamp?

    public init(key: String, value: [UInt8], metadata: [String: String] = [:], expiresAt: Timestamp? = nil) {
        self.key = key
        self.value = value
        self.metadata = metadata
        self.expiresAt = expiresAt
    }

    /// Whether the record is live at `now`.
    public func isLive(at now: Timestamp) -> Bool {
        guard let expiresAt else { return true }
        return expiresAt > now
    }
}
