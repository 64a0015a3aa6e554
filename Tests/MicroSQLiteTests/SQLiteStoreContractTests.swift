import Foundation
import Micro
import MicroSQLite
import MicroTesting
import Testing

/// The ``Store`` contract over the SQLite store, file-backed (in a fresh temporary directory) and in memory.
@Suite struct SQLiteStoreContractTests {
    static let subjects: [ContractSubject<any Store>] = [
        ContractSubject("SQLiteStore(file)") { environment, body in
            try await TemporaryDirectory.with { directory in
                let store = try SQLiteStore(path: directory.file("store.sqlite"), environment: environment)
                try await body(store)
                try store.close()
            }
        },
        ContractSubject("SQLiteStore(memory)") { try SQLiteStore.inMemory(environment: $0) },
    ]

    @Test(arguments: subjects, StoreContract.checks)
    func contract(_ subject: ContractSubject<any Store>, _ check: ContractCheck<any Store>) async throws {
        try await check.run(on: subject)
    }
}
