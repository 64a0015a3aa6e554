import ArgumentParser
import Foundation
import Micro
@testable import MicroCLI
import MicroTravel
import Testing

/// Runs `micro` (with the travel catalogue, as the `micro` executable has) with `arguments`, capturing what
/// it prints; returns the exit code.
func runMicro(_ arguments: [String]) async -> (code: Int32, out: String, err: String) {
    let console = Console.capturing()
    let code: Int32 = await CLICatalog.$current.withValue(.travel) { await Console.$current.withValue(console) {
        do {
            var command = try MicroCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            let code = MicroCommand.exitCode(for: error).rawValue
            if code != 0 { console.err(MicroCommand.fullMessage(for: error)) }
            return code
        }
    } }
    return (code, console.standardOutput, console.standardError)
}

@Suite struct ToolsCommandTests {
    @Test func listsEveryToolAsJSON() async throws {
        let (code, out, _) = await runMicro(["tools", "list", "--json"])
        #expect(code == 0)
        let tools = try #require(try JSONValue(parsing: out).arrayValue)
        #expect(tools.count == 9)
        let book = try #require(tools.first { $0["name"] == "travel_hotels_book" })
        #expect(Set(book.objectValue?.keys.map { $0 } ?? []) == ["name", "description", "inputSchema", "outputSchema"])
        #expect(book["inputSchema"]?["required"] == ["hotelID", "checkIn", "nights", "guestName"])
    }

    @Test func listsToolsForPeople() async throws {
        let (code, out, _) = await runMicro(["tools", "list"])
        #expect(code == 0)
        #expect(out.contains("weather_forecast"))
        #expect(out.contains("9 tools"))
    }

    @Test func callsATool() async throws {
        let (code, out, _) = await runMicro([
            "tools", "call", "weather_forecast", "--args", #"{"city":"Tokyo","from":"2026-04-01","days":2}"#, "--json",
        ])
        #expect(code == 0)
        let result = try JSONValue(parsing: out)
        #expect(result["isError"] == false)
        #expect(result["content"]?["days"]?.arrayValue?.count == 2)
    }

    @Test func invalidArgumentsExitNonZeroWithEveryViolation() async throws {
        let (code, _, err) = await runMicro([
            "tools", "call", "travel_hotels_search", "--args", #"{"city":"Lisbon","nights":"two"}"#,
        ])
        #expect(code == 1)
        #expect(err.contains("$.nights"))
        #expect(err.contains("checkIn"))
    }

    @Test func malformedJSONSaysWhere() async throws {
        let (code, _, err) = await runMicro(["tools", "call", "weather_forecast", "--args", #"{"city": }"#])
        #expect(code == 2)
        #expect(err.contains("line 1, column"))
    }

    @Test func unknownToolsListTheNearestNames() async throws {
        let (code, _, err) = await runMicro(["tools", "call", "weather_forcast", "--args", "{}"])
        #expect(code == 3)
        #expect(err.contains("weather_forecast"))
    }

    @Test func bookingsPersistInASQLiteStore() async throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("micro-cli-\(UInt64.random(in: 0...UInt64.max)).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: db) }
        let booking = #"{"hotelID":"lisbon:0","checkIn":"2026-05-01","nights":2,"guestName":"Ada"}"#
        _ = await runMicro(["tools", "call", "travel_hotels_book", "--db", db, "--args", booking])
        let (code, out, _) = await runMicro(["tools", "call", "payments_ledger", "--db", db, "--json"])
        #expect(code == 0)
        let entries = try JSONValue(parsing: out)["content"]?["entries"]?.arrayValue ?? []
        #expect(entries.count == 1)
    }
}
