/// Where records live under the prefix: a version at `<prefix><service>/<version>` (its metadata and
/// endpoints), each node at `<prefix><service>/<version>/<node id>`. `%` and `/` in names are percent-encoded.
struct EtcdKeyLayout: Sendable, Hashable {
    /// A parsed key.
    enum Key: Hashable {
        case version(VersionID)
        case node(VersionID, String)
    }

    /// A service version: the unit the registry reports.
    struct VersionID: Hashable, Comparable {
        var service: String
        var version: String
        static func < (a: VersionID, b: VersionID) -> Bool { (a.service, a.version) < (b.service, b.version) }
    }

    let prefix: String

    func servicePrefix(_ service: String?) -> String {
        service.map { prefix + Self.escape($0) + "/" } ?? prefix
    }

    func versionKey(_ id: VersionID) -> String {
        prefix + Self.escape(id.service) + "/" + Self.escape(id.version)
    }

    func nodeKey(_ id: VersionID, node: String) -> String {
        versionKey(id) + "/" + Self.escape(node)
    }

    /// The meaning of `key`, or nil for keys this layout did not write.
    func parse(_ key: String) -> Key? {
        guard key.hasPrefix(prefix) else { return nil }
        let parts = key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            .map { Self.unescape(String($0)) }
        guard parts.allSatisfy({ $0 != nil }) else { return nil }
        switch parts.count {
        case 2: return .version(VersionID(service: parts[0]!, version: parts[1]!))
        case 3: return .node(VersionID(service: parts[0]!, version: parts[1]!), parts[2]!)
        default: return nil
        }
    }

    static func escape(_ part: String) -> String {
        part.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }

    static func unescape(_ part: String) -> String? {
        part.removingPercentEncoding
    }
}
