/// Which services' endpoints an agent or a tool listing may use.
public enum ToolScope: Sendable, Hashable, Codable {
    /// Every registered service.
    case all
    /// Only these services. An empty list means no service tools at all, never all of them.
    case services([String])

    /// Whether `service` is in scope.
    public func includes(_ service: String) -> Bool {
        switch self {
        case .all: true
        case .services(let names): names.contains(service)
        }
    }
}
