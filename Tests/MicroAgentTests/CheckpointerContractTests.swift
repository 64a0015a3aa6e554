import Micro
import MicroAgent
import MicroTesting
import Testing

/// The ``Checkpointer`` contract over every checkpointer in module MicroAgent (SQLite runs it in MicroSQLiteTests).
@Suite struct CheckpointerContractTests {
    static let subjects: [ContractSubject<any Checkpointer>] = [
        ContractSubject("InMemoryCheckpointer") { _ in InMemoryCheckpointer() },
    ]

    @Test(arguments: subjects, CheckpointerContract.checks)
    func contract(_ subject: ContractSubject<any Checkpointer>, _ check: ContractCheck<any Checkpointer>) async throws {
        try await check.run(on: subject)
    }
}
