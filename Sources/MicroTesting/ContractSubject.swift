import Micro

/// One implementation under contract test: a name and a scope that makes a fresh instance on a given
/// ``Environment``, runs a body with it, and cleans up (close files, remove temporary directories).
public struct ContractSubject<Value: Sendable>: Sendable, CustomStringConvertible {
    public typealias Scope = @Sendable (Environment, (Value) async throws -> Void) async throws -> Void

    public let name: String
    private let scope: Scope

    /// A subject whose instances need setup and teardown around each check.
    public init(_ name: String, scope: @escaping Scope) {
        self.name = name
        self.scope = scope
    }

    /// A subject whose instances need no cleanup.
    public init(_ name: String, make: @escaping @Sendable (Environment) async throws -> Value) {
        self.init(name) { environment, body in try await body(try await make(environment)) }
    }

    /// Runs `body` with a fresh instance on `environment`.
    public func with(_ environment: Environment, _ body: (Value) async throws -> Void) async throws {
        try await scope(environment, body)
    }

    public var description: String { name }
}
