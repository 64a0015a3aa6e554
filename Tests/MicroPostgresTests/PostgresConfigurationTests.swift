import MicroPostgres
import Testing

/// URL parsing, without a server.
@Suite struct PostgresConfigurationTests {
    struct Good: Sendable, CustomStringConvertible {
        let url: String
        let expected: PostgresConfiguration
        var description: String { url }
    }

    static let good: [Good] = [
        Good(url: "postgres://micro:pw@127.0.0.1:5433/db",
             expected: .init(host: "127.0.0.1", port: 5433, user: "micro", password: "pw", database: "db")),
        Good(url: "postgresql://micro@localhost/db",
             expected: .init(host: "localhost", port: 5432, user: "micro", password: nil, database: "db")),
        Good(url: "postgres://u%40x:p%3Aw%2F%40@db.example.org/my%20db?sslmode=require",
             expected: .init(host: "db.example.org", user: "u@x", password: "p:w/@", database: "my db", tls: .require)),
        Good(url: "postgres://u:@[::1]:6000/d?sslmode=disable",
             expected: .init(host: "::1", port: 6000, user: "u", password: "", database: "d", tls: .disable)),
        Good(url: "POSTGRES://u:p@h/d",
             expected: .init(host: "h", user: "u", password: "p", database: "d")),
    ]

    @Test(arguments: good)
    func parses(_ good: Good) throws {
        #expect(try PostgresConfiguration(url: good.url) == good.expected)
    }

    @Test func descriptionNamesTheServerWithoutThePassword() throws {
        let configuration = try PostgresConfiguration(url: "postgres://micro:hunter2@127.0.0.1:5433/db")
        #expect(configuration.description == "postgres://micro@127.0.0.1:5433/db")
        #expect(try PostgresConfiguration(url: "postgres://u@[::1]:1/d").description == "postgres://u@[::1]:1/d")
    }

    /// A bad URL and a word its error must contain.
    struct Bad: Sendable, CustomStringConvertible {
        let url: String
        let reason: String
        var description: String { url }
    }

    static let bad: [Bad] = [
        Bad(url: "", reason: "expected postgres://"),
        Bad(url: "mysql://u:hunter2@h/d", reason: "scheme"),
        Bad(url: "postgres://u:hunter2@h", reason: "no database"),
        Bad(url: "postgres://u:hunter2@h/", reason: "database name"),
        Bad(url: "postgres://h/d", reason: "no user"),
        Bad(url: "postgres://:hunter2@h/d", reason: "user name"),
        Bad(url: "postgres://u:hunter2@/d", reason: "no host"),
        Bad(url: "postgres://u:hunter2@h:0/d", reason: "port"),
        Bad(url: "postgres://u:hunter2@h:99999/d", reason: "port"),
        Bad(url: "postgres://u:hunter2@h:abc/d", reason: "port"),
        Bad(url: "postgres://u:hunter2@[::1/d", reason: "IPv6"),
        Bad(url: "postgres://u:hunter2@h/d?sslmode=verify-full", reason: "sslmode"),
        Bad(url: "postgres://u:hunter2@h/d?application_name=x", reason: "unsupported query parameter"),
        Bad(url: "postgres://u:hunt%zzer2@h/d", reason: "password"),
        Bad(url: "postgres://u:hunter2@h o/d", reason: "malformed host"),
    ]

    @Test(arguments: bad)
    func rejects(_ bad: Bad) throws {
        let error = try #require(throws: PostgresError.self) { try PostgresConfiguration(url: bad.url) }
        #expect(error.code == .invalidURL)
        #expect(error.message.contains(bad.reason), "\(error.message)")
        #expect(!"\(error)".contains("hunter2"), "the password leaked: \(error)")
        #expect(!"\(error)".contains("hunt%zzer2"), "the password leaked: \(error)")
    }
}
