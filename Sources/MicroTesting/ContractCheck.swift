import Micro

/// One named clause of a contract, runnable against any ``ContractSubject``. Throws
/// ``ContractViolation`` when the subject breaks it (or whatever the subject itself threw).
public struct ContractCheck<Value: Sendable>: Sendable, CustomStringConvertible {
    public let name: String
    private let body: @Sendable (ContractSubject<Value>) async throws -> Void

    public init(_ name: String, _ body: @escaping @Sendable (ContractSubject<Value>) async throws -> Void) {
        self.name = name
        self.body = body
    }

    /// Runs the check against `subject`.
    public func run(on subject: ContractSubject<Value>) async throws {
        try await body(subject)
    }

    public var description: String { name }
}
