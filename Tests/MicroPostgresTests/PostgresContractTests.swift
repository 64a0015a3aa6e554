import Micro
import MicroAgent
import MicroPostgres
import MicroTesting
import Testing

extension PostgresServerTests {
    /// The ``Store`` and ``Checkpointer`` contracts, unchanged, against PostgreSQL (a fresh database per check).
    @Suite struct PostgresContractTests {
        static let stores: [ContractSubject<any Store>] = [
            ContractSubject("PostgresStore") { environment, body in
                try await PostgresTestServer.required().withBackend { backend in
                    try await body(PostgresStore(backend: backend, environment: environment))
                }
            },
        ]

        static let checkpointers: [ContractSubject<any Checkpointer>] = [
            ContractSubject("PostgresCheckpointer") { _, body in
                try await PostgresTestServer.required().withBackend { backend in
                    try await body(PostgresCheckpointer(backend: backend))
                }
            },
            // Two backends (two pools, as two processes would have) on one database take turns serving calls.
            ContractSubject("PostgresCheckpointer(two backends, one database)") { _, body in
                try await PostgresTestServer.required().withDatabase { configuration in
                    try await PostgresBackend.with(configuration) { first in
                        try await PostgresBackend.with(configuration) { second in
                            try await body(AlternatingCheckpointer(PostgresCheckpointer(backend: first), PostgresCheckpointer(backend: second)))
                        }
                    }
                }
            },
        ]

        @Test(arguments: stores, StoreContract.checks)
        func store(_ subject: ContractSubject<any Store>, _ check: ContractCheck<any Store>) async throws {
            try await check.run(on: subject)
        }

        @Test(arguments: checkpointers, CheckpointerContract.checks)
        func checkpointer(_ subject: ContractSubject<any Checkpointer>, _ check: ContractCheck<any Checkpointer>) async throws {
            try await check.run(on: subject)
        }
    }
}
