import Foundation
import HTTPTypes

/// One operation of the A2A 1.0 HTTP+JSON binding, read from a request's method and path:
/// `POST /message:send`, `POST /message:stream`, `GET /tasks`, `GET /tasks/{id}`, `POST /tasks/{id}:cancel`,
/// `POST /tasks/{id}:subscribe` (GET too), the push notification config routes under
/// `/tasks/{id}/pushNotificationConfigs` and `GET /extendedAgentCard`. Each may be prefixed by one
/// `/{tenant}` segment.
enum A2ARestRoute: Equatable {
    case send, stream, list, extendedCard
    case get(String), cancel(String), subscribe(String)
    /// Any push notification config route of a task (create, get, list, delete).
    case pushConfigs(String)

    /// Why a path is not an operation: no such resource (404), or a resource that takes other methods (405).
    enum Miss: Error, Equatable {
        case notFound
        case methodNotAllowed(allowed: String)
    }

    /// The route of `path` (without its query) for `method`.
    static func match(_ method: HTTPRequest.Method, _ path: String) -> Result<A2ARestRoute, Miss> {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let direct = match(method, segments)
        // A tenant prefix: `/{tenant}/message:send` and so on.
        if case .failure(.notFound) = direct, segments.count > 1 {
            return match(method, Array(segments.dropFirst()))
        }
        return direct
    }

    private static func match(_ method: HTTPRequest.Method, _ segments: [String]) -> Result<A2ARestRoute, Miss> {
        func only(_ allowed: HTTPRequest.Method..., route: A2ARestRoute) -> Result<A2ARestRoute, Miss> {
            allowed.contains(method) ? .success(route) : .failure(.methodNotAllowed(allowed: allowed.map(\.rawValue).joined(separator: ", ")))
        }
        switch segments.count {
        case 1:
            switch segments[0] {
            case "message:send": return only(.post, route: .send)
            case "message:stream": return only(.post, route: .stream)
            case "tasks": return only(.get, route: .list)
            case "extendedAgentCard": return only(.get, route: .extendedCard)
            default: return .failure(.notFound)
            }
        case 2 where segments[0] == "tasks" && !segments[1].isEmpty:
            let resource = segments[1]
            if let id = suffixed(resource, ":cancel") { return only(.post, route: .cancel(id)) }
            if let id = suffixed(resource, ":subscribe") { return only(.post, .get, route: .subscribe(id)) }
            return only(.get, route: .get(decoded(resource)))
        case 3, 4:
            guard segments[0] == "tasks", !segments[1].isEmpty, segments[2] == "pushNotificationConfigs" else { return .failure(.notFound) }
            return segments.count == 3
                ? only(.get, .post, route: .pushConfigs(decoded(segments[1])))
                : only(.get, .delete, route: .pushConfigs(decoded(segments[1])))
        default:
            return .failure(.notFound)
        }
    }

    private static func suffixed(_ resource: String, _ verb: String) -> String? {
        guard resource.hasSuffix(verb), resource.count > verb.count else { return nil }
        return decoded(String(resource.dropLast(verb.count)))
    }

    /// A path segment with its percent escapes decoded (left as it is when they are malformed).
    static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }
}
