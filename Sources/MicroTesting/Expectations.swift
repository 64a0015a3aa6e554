/// Throws a ``ContractViolation`` for `check` unless `condition` holds.
func expect(
    _ condition: Bool, _ message: @autoclosure () -> String, in check: String,
    fileID: String = #fileID, line: Int = #line
) throws {
    if !condition { throw ContractViolation(check: check, message: message(), fileID: fileID, line: line) }
}

/// Throws a ``ContractViolation`` for `check` unless `actual == expected`.
func expectEqual<T: Equatable>(
    _ actual: T, _ expected: T, _ what: @autoclosure () -> String, in check: String,
    fileID: String = #fileID, line: Int = #line
) throws {
    if actual != expected {
        throw ContractViolation(
            check: check, message: "\(what()): expected \(expected), got \(actual)", fileID: fileID, line: line)
    }
}

/// Runs `body`, which must throw an `E` satisfying `matches`; returns that error.
@discardableResult
func expectThrows<E: Error>(
    _ type: E.Type, _ what: @autoclosure () -> String, in check: String,
    fileID: String = #fileID, line: Int = #line,
    matching matches: (E) -> Bool = { _ in true },
    _ body: () async throws -> Void
) async throws -> E {
    do {
        try await body()
    } catch let error as E where matches(error) {
        return error
    } catch {
        throw ContractViolation(
            check: check, message: "\(what()): threw an unexpected error: \(error)", fileID: fileID, line: line)
    }
    throw ContractViolation(check: check, message: "\(what()): expected \(E.self), nothing thrown", fileID: fileID, line: line)
}
