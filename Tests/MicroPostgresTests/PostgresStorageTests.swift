import Micro
import MicroAgent
@testable import MicroPostgres
import Testing

/// The version check, without a server of every version.
@Suite struct PostgresVersionCheckTests {
    static let configuration = PostgresConfiguration(host: "db.test", user: "u", password: "hunter2", database: "d")

    @Test(arguments: [(120_017, "12.17", "UTF8"), (90_624, "9.6.24", "UTF8"), (150_018, "15.18", "LATIN1")])
    func unsupportedServersAreTyped(number: Int, version: String, encoding: String) {
        let error = #expect(throws: PostgresError.self) {
            try PostgresBackend.check(versionNumber: number, version: version, encoding: encoding, Self.configuration)
        }
        #expect(error?.code == .unsupportedServer)
        #expect(error?.server == "postgres://u@db.test:5432/d")
        #expect(error?.message.contains(encoding == "UTF8" ? version : encoding) == true, "\(String(describing: error))")
    }

    @Test(arguments: [(130_000, "13.0"), (150_018, "15.18"), (170_002, "17.2")])
    func supportedServersPass(number: Int, version: String) throws {
        try PostgresBackend.check(versionNumber: number, version: version, encoding: "UTF8", Self.configuration)
    }
}

extension PostgresServerTests {
    /// The public entry `--store postgres://…` uses: a URL in, a Store and a Checkpointer on one pool out.
    @Suite struct PostgresStorageTests {
        @Test func opensStoreAndCheckpointerFromAURL() async throws {
            try await PostgresTestServer.required().withDatabase { configuration in
                let password = configuration.password.map { ":" + EngineURL.percentEncoded($0) } ?? ""
                let url = "postgres://\(EngineURL.percentEncoded(configuration.user))\(password)@\(configuration.host):\(configuration.port)/\(configuration.database)?sslmode=disable"
                try await PostgresStorage.with(url: url) { storage in
                    try await storage.store.namespace().write("k", bytes: [7])
                    try await storage.checkpointer.commit(PostgresFencingTests.checkpoint("run", 1, at: 1), lease: nil)
                    #expect(try await storage.store.namespace().read("k")?.value == [7])
                    #expect(try await storage.checkpointer.latest(runID: "run")?.sequence == 1)
                }
            }
        }

        @Test(.enabled(if: PostgresTestServer.externalURL == nil, "needs the throwaway cluster's password check"))
        func aWrongPasswordInTheURLIsTyped() async throws {
            let server = try PostgresTestServer.required()
            let admin = server.admin
            let error = try await #require(throws: PostgresError.self) {
                try await PostgresStorage.with(url: "postgres://\(admin.user):wrong-hunter2@\(admin.host):\(admin.port)/\(admin.database)?sslmode=disable") { _ in }
            }
            #expect(error.code == .authenticationFailed, "\(error)")
            #expect(!"\(error)".contains("wrong-hunter2"))
        }
    }
}
