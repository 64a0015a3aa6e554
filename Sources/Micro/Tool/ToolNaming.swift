/// Turns (service, endpoint) pairs into provider-safe tool names (`^[a-zA-Z0-9_-]{1,64}$`).
///
/// A name is the service and endpoint joined by `_`, with every other character replaced by `_`
/// (`travel.hotels` + `book` → `travel_hotels_book`). When two pairs would get the same name, or a name
/// would pass 64 characters, each affected pair gets a stable 8-hex-digit suffix hashed from the exact
/// pair, so names never depend on registration order. Names map back through the table ``assign(_:)``
/// returns, never by parsing, so service names with dots, dashes or underscores stay unambiguous.
public enum ToolNaming {
    public static let maxLength = 64

    /// The tool name a pair gets when nothing collides with it.
    public static func baseName(service: String, endpoint: String) -> String {
        sanitize(service) + "_" + sanitize(endpoint)
    }

    /// Whether `name` is acceptable to every provider.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxLength && name.utf8.allSatisfy(isAllowed)
    }

    /// Names for all `pairs` (duplicates ignored), unique and valid. Throws ``ServiceError/Code/conflict``
    /// only if a hashed name still collides.
    public static func assign(_ pairs: [ToolTarget]) throws -> [ToolTarget: String] {
        let unique = Array(Set(pairs))
        var byBase: [String: [ToolTarget]] = [:]
        for pair in unique { byBase[baseName(service: pair.service, endpoint: pair.endpoint), default: []].append(pair) }
        var names: [ToolTarget: String] = [:]
        var owners: [String: ToolTarget] = [:]
        for (base, group) in byBase.sorted(by: { $0.key < $1.key }) {
            for pair in group.sorted(by: { ($0.service, $0.endpoint) < ($1.service, $1.endpoint) }) {
                let name = group.count == 1 && base.utf8.count <= maxLength ? base : hashed(base, pair)
                if let owner = owners[name] {
                    throw ServiceError(
                        .conflict,
                        "tool name \(name) is claimed by \(owner) and \(pair); rename one of the endpoints")
                }
                owners[name] = pair
                names[pair] = name
            }
        }
        return names
    }

    private static func hashed(_ base: String, _ pair: ToolTarget) -> String {
        var hash: UInt32 = 0x811C_9DC5  // FNV-1a over "service\0endpoint"
        for byte in pair.service.utf8 + [0] + pair.endpoint.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        let suffix = "_" + String(repeating: "0", count: 8 - hex.count) + hex
        return String(base.prefix(maxLength - suffix.count)) + suffix
    }

    private static func sanitize(_ part: String) -> String {
        String(decoding: part.utf8.map { isAllowed($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}

/// The service endpoint a tool stands for.
public struct ToolTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    public var service: String
    public var endpoint: String
    public init(service: String, endpoint: String) {
        self.service = service
        self.endpoint = endpoint
    }
    public var description: String { "\(service).\(endpoint)" }
}
