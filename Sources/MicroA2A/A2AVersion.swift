import Foundation

/// The A2A protocol versions a server speaks and a client can choose: the method family and wire shapes.
///
/// Requests name theirs in the `A2A-Version` header; a request without it is a 0.3 request, as the 1.0
/// specification says.
public enum A2AVersion: String, Sendable, Hashable, CaseIterable {
    /// `message/send`, `tasks/get`, … with `kind` discriminators and kebab-case states.
    case v0_3 = "0.3"
    /// `SendMessage`, `GetTask`, … in ProtoJSON (member-based unions, `TASK_STATE_…` enums).
    case v1_0 = "1.0"

    /// The request header that names the version.
    public static let header = "A2A-Version"

    /// The version a header value names (major and minor; a patch is ignored), or nil when unsupported.
    /// An absent or empty header is 0.3.
    public init?(header value: String?) {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            self = .v0_3
            return
        }
        let parts = value.split(separator: ".")
        guard parts.count >= 1, let major = Int(parts[0]) else { return nil }
        let minor = parts.count > 1 ? Int(parts[1]) : 0
        switch (major, minor) {
        case (1, _): self = .v1_0
        case (0, 3): self = .v0_3
        default: return nil
        }
    }

    /// The version of a request: its header's, or, with no header, 1.0 for a 1.0 method name (`GetTask`:
    /// the name says which version it is) and 0.3 otherwise.
    public init?(header value: String?, method: String) {
        let absent = value?.trimmingCharacters(in: .whitespaces).isEmpty ?? true
        if absent, method.first?.isUppercase == true {
            self = .v1_0
            return
        }
        self.init(header: value)
    }
}
