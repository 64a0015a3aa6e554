import Micro
import MicroExamples
import Testing

@Suite struct TravelServicesTests {
    let environment = Environment.simulated(seed: 3)

    func world() async throws -> (Runtime, Toolset) {
        let runtime = Runtime.inMemory(environment: environment)
        try await TravelServices.serve(on: runtime)
        return (runtime, try await runtime.toolset())
    }

    func context(_ key: String) -> CallContext {
        CallContext(runID: "run-1", idempotencyKey: key, caller: "test", environment: environment)
    }

    @Test func everyEndpointIsATool() async throws {
        let (_, tools) = try await world()
        #expect(tools.specs.map(\.name) == [
            "payments_charge", "payments_ledger", "payments_refund", "travel_flights_book", "travel_flights_search",
            "travel_hotels_book", "travel_hotels_cancel", "travel_hotels_search", "weather_forecast",
        ])
        let search = try #require(tools.tool(named: "travel_flights_search")).spec.inputSchema.jsonValue
        #expect(search["required"] == ["from", "to", "date"])
        #expect(search["properties"]?["cabin"]?["enum"] == ["economy", "premium", "business", "first", nil])
        #expect(search["properties"]?["passengers"]?["type"] == ["integer", "null"])
        #expect(search["properties"]?["date"]?["type"] == "string")
    }

    @Test func flightSearchIsDeterministicAndSortedByPrice() async throws {
        let (_, tools) = try await world()
        let arguments: JSONValue = ["from": "LHR", "to": "JFK", "date": "2026-03-14", "passengers": 2]
        let first = try await tools.call("travel_flights_search", arguments: arguments, context: context("a"))
        let second = try await tools.call("travel_flights_search", arguments: arguments, context: context("b"))
        #expect(!first.isError)
        #expect(first == second)
        let prices = first.content["flights"]?.arrayValue?.compactMap { $0["priceCents"]?.intValue } ?? []
        #expect(prices.count >= 3)
        #expect(prices == prices.sorted())
    }

    @Test func bookingAHotelChargesExactlyOncePerIdempotencyKey() async throws {
        let (runtime, tools) = try await world()
        let search = try await tools.call(
            "travel_hotels_search", arguments: ["city": "Lisbon", "checkIn": "2026-05-01", "nights": 3],
            context: context("s"))
        let hotel = try #require(search.content["hotels"]?[0])
        let booking: JSONValue = [
            "hotelID": hotel["hotelID"]!, "checkIn": "2026-05-01", "nights": 3, "guestName": "Ada Lovelace",
        ]
        let first = try await tools.call("travel_hotels_book", arguments: booking, context: context("run-1/2/0"))
        let retried = try await tools.call("travel_hotels_book", arguments: booking, context: context("run-1/2/0"))
        #expect(!first.isError)
        #expect(first == retried)
        #expect(first.content["checkOut"] == "2026-05-04")
        let ledger = SideEffectLedger(store: runtime.store)
        #expect(try await ledger.entries().map(\.kind) == ["payments.charge"])
        #expect(try await ledger.entries().first?.payload["amountCents"] == hotel["totalCents"])
        _ = try await tools.call("travel_hotels_book", arguments: booking, context: context("run-1/3/0"))
        #expect(try await ledger.entries().count == 2)
        #expect(try await ledger.duplicates().isEmpty)

        let cancelled = try await tools.call(
            "travel_hotels_cancel", arguments: ["bookingID": first.content["bookingID"]!], context: context("run-1/4/0"))
        #expect(cancelled.content["status"] == "cancelled")
        let summary = try await tools.call("payments_ledger", arguments: [:], context: context("l"))
        #expect(summary.content["entries"]?.arrayValue?.count == 3)
        #expect(summary.content["totalCapturedCents"] == hotel["totalCents"])
    }

    @Test func bookingAFlightPaysThroughThePaymentService() async throws {
        let (runtime, tools) = try await world()
        let search = try await tools.call(
            "travel_flights_search", arguments: ["from": "CDG", "to": "HND", "date": "2026-07-01"], context: context("s"))
        let flight = try #require(search.content["flights"]?[0])
        let booked = try await tools.call(
            "travel_flights_book", arguments: ["flightID": flight["flightID"]!, "passengerNames": ["Grace Hopper"]],
            context: context("k1"))
        #expect(!booked.isError)
        #expect(booked.content["flight"]?["priceCents"] == flight["priceCents"])
        let charges = try await SideEffectLedger(store: runtime.store).entries()
        #expect(charges.map(\.key) == ["k1/charge"])
    }

    static let domainErrors: [(String, JSONValue, String)] = [
        ("travel_flights_search", ["from": "LHR", "to": "XXX", "date": "2026-03-14"], "not_found"),
        ("travel_flights_search", ["from": "LHR", "to": "JFK", "date": "2026-02-30"], "invalid_arguments"),
        ("travel_hotels_search", ["city": "Atlantis", "checkIn": "2026-03-14", "nights": 2], "not_found"),
        ("travel_hotels_search", ["city": "Lisbon", "checkIn": "2026-03-14", "nights": 90], "invalid_arguments"),
        ("payments_charge", ["amountCents": -5, "currency": "EUR", "reference": "x"], "invalid_arguments"),
        ("payments_charge", ["amountCents": 10, "currency": "XYZ", "reference": "x"], "invalid_arguments"),
        ("payments_refund", ["chargeID": "CH-NOPE"], "not_found"),
        ("weather_forecast", ["city": "Lisbon", "from": "2026-03-14", "days": 40], "invalid_arguments"),
    ]

    @Test(arguments: domainErrors)
    func domainErrorsComeBackAsToolErrors(tool: String, arguments: JSONValue, code: String) async throws {
        let (_, tools) = try await world()
        let result = try await tools.call(tool, arguments: arguments, context: context("e"))
        #expect(result.isError)
        #expect(result.content["error"]?["code"]?.stringValue == code)
    }

    @Test func forecastsFollowTheSeasons() async throws {
        let (_, tools) = try await world()
        func high(_ city: String, _ date: String) async throws -> Double {
            let result = try await tools.call(
                "weather_forecast", arguments: ["city": .string(city), "from": .string(date), "days": 1],
                context: context("w"))
            return try #require(result.content["days"]?[0]?["high"]?.doubleValue)
        }
        #expect(try await high("London", "2026-07-15") > high("London", "2026-01-15"))
        #expect(try await high("Sydney", "2026-01-15") > high("Sydney", "2026-07-15"))
    }
}
