import Micro
import MicroTesting
import Testing

/// The ``Store`` contract over every store in module Micro (SQLite runs it in MicroSQLiteTests).
@Suite struct StoreContractTests {
    static let subjects: [ContractSubject<any Store>] = [
        ContractSubject("InMemoryStore") { InMemoryStore(environment: $0) },
    ]

    @Test(arguments: subjects, StoreContract.checks)
    func contract(_ subject: ContractSubject<any Store>, _ check: ContractCheck<any Store>) async throws {
        try await check.run(on: subject)
    }
}
