import Foundation
import Micro

public enum Cabin: String, Codable, Sendable, CaseIterable { case economy, premium, business, first }

public struct FlightSearchRequest: Codable, Sendable, SchemaDescribing {
    public var from: String
    public var to: String
    public var date: String
    public var passengers: Int?
    public var cabin: Cabin?

    public init(from: String, to: String, date: String, passengers: Int? = nil, cabin: Cabin? = nil) {
        self.from = from
        self.to = to
        self.date = date
        self.passengers = passengers
        self.cabin = cabin
    }

    public static var schemaDescription: String? { "Where and when to fly." }
    public static var fieldDescriptions: [String: String] {
        [
            "from": "IATA code of the departure airport, e.g. LHR.",
            "to": "IATA code of the arrival airport, e.g. JFK.",
            "date": "Departure date as YYYY-MM-DD.",
            "passengers": "Number of travellers (default 1, at most 9).",
            "cabin": "Cabin class (default economy).",
        ]
    }
}

public struct Flight: Codable, Sendable, Hashable, SchemaDescribing {
    public var flightID: String
    public var airline: String
    public var number: String
    public var from: String
    public var to: String
    public var departure: String
    public var arrival: String
    public var durationMinutes: Int
    public var cabin: Cabin
    public var seatsLeft: Int
    public var priceCents: Int
    public var currency: Currency

    public static var fieldDescriptions: [String: String] {
        [
            "flightID": "Identifier to book this flight with.",
            "departure": "Local departure time, YYYY-MM-DDTHH:MM.",
            "arrival": "Local arrival time, YYYY-MM-DDTHH:MM.",
            "priceCents": "Total price for all passengers, in cents.",
        ]
    }
}

public struct FlightSearchResults: Codable, Sendable, Hashable {
    public var flights: [Flight]
}

public struct FlightBookingRequest: Codable, Sendable, SchemaDescribing {
    public var flightID: String
    public var passengerNames: [String]

    public init(flightID: String, passengerNames: [String]) {
        self.flightID = flightID
        self.passengerNames = passengerNames
    }

    public static var fieldDescriptions: [String: String] {
        ["flightID": "A flightID returned by search.", "passengerNames": "Full name of each traveller."]
    }
}

public struct FlightBooking: Codable, Sendable, Hashable {
    public var bookingID: String
    public var flight: Flight
    public var passengerNames: [String]
    public var chargeID: String
}

/// The example flight service: deterministic schedules between known airports, and bookings paid through
/// the payment service (one charge per booking, whatever the retries).
public enum Flights {
    public static let name = "travel.flights"
    static let airlines = ["Aurora Air", "Meridian", "Northwind", "Skylark"]

    public static func service(store: any Store, client: Client) -> Service {
        let bookings = store.namespace("travel.flights.bookings")
        return Service(name, description: "Searches and books flights.") {
            Endpoint("search", description: "Find flights between two airports on a date, cheapest first.") {
                (request: FlightSearchRequest, _: CallContext) async throws -> FlightSearchResults in
                FlightSearchResults(flights: try search(request))
            }
            Endpoint("book", description: "Book a flight found by search and pay for it. Returns the booking.") {
                (request: FlightBookingRequest, context: CallContext) async throws -> FlightBooking in
                if let existing = try await bookings.read("by-key/\(context.idempotencyKey)", as: FlightBooking.self) {
                    return existing
                }
                guard !request.passengerNames.isEmpty,
                    request.passengerNames.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty })
                else {
                    throw ServiceError(.invalidArguments, "passengerNames must list at least one non-empty name")
                }
                guard var flight = try flight(id: request.flightID) else {
                    throw ServiceError(.notFound, "no flight \(request.flightID); use a flightID returned by search")
                }
                flight.priceCents = flight.priceCents / max(1, flight.passengerCount) * request.passengerNames.count
                guard request.passengerNames.count <= flight.seatsLeft else {
                    throw ServiceError(.rejected, "only \(flight.seatsLeft) seats left on \(flight.number)")
                }
                let charge = try await client.call(
                    Payments.name, "charge",
                    request: ChargeRequest(
                        amountCents: flight.priceCents, currency: flight.currency, reference: flight.flightID,
                        description: "\(flight.airline) \(flight.number)"),
                    as: Charge.self, context: context.nested(caller: name, key: "charge"))
                let booking = FlightBooking(
                    bookingID: reference("FL", context.idempotencyKey), flight: flight,
                    passengerNames: request.passengerNames, chargeID: charge.chargeID)
                try await bookings.write("by-key/\(context.idempotencyKey)", booking)
                try await bookings.write("booking/\(booking.bookingID)", booking)
                return booking
            }
        }
    }

    static func search(_ request: FlightSearchRequest) throws -> [Flight] {
        guard let from = Catalog.airport(request.from) else {
            throw ServiceError(.notFound, "unknown airport \(request.from); known: \(Catalog.knownCodes)")
        }
        guard let to = Catalog.airport(request.to) else {
            throw ServiceError(.notFound, "unknown airport \(request.to); known: \(Catalog.knownCodes)")
        }
        guard from.code != to.code else { throw ServiceError(.invalidArguments, "from and to are the same airport") }
        let passengers = request.passengers ?? 1
        guard (1...9).contains(passengers) else {
            throw ServiceError(.invalidArguments, "passengers must be between 1 and 9, got \(passengers)")
        }
        let day = try parseDay(request.date, field: "date")
        let cabin = request.cabin ?? .economy
        let kilometres = Catalog.distance(from, to)
        let count = 3 + Int(stableHash(from.code, to.code, request.date) % 3)
        let flights = (0..<count).map { index -> Flight in
            let seed = stableHash(from.code, to.code, request.date, String(index))
            let airline = airlines[Int(seed % UInt64(airlines.count))]
            let departureMinute = 360 + Int(seed >> 8 % 64) * 15 % (16 * 60)
            let duration = Int(kilometres / 800 * 60) + 40 + Int(seed >> 16 % 40)
            let multiplier = [Cabin.economy: 1.0, .premium: 1.7, .business: 3.2, .first: 5.5][cabin]!
            let base = 4_000 + kilometres * 9 + Double(seed >> 24 % 9_000)
            let price = Int((base * multiplier).rounded()) / 100 * 100 * passengers
            let number = "\(airline.prefix(2).uppercased())\(100 + Int(seed >> 32 % 900))"
            return Flight(
                flightID: "\(from.code)-\(to.code)-\(request.date)-\(number)-\(cabin.rawValue)-\(passengers)",
                airline: airline, number: number, from: from.code, to: to.code,
                departure: clockTime(day: day, minute: departureMinute),
                arrival: clockTime(day: day, minute: departureMinute + duration),
                durationMinutes: duration, cabin: cabin, seatsLeft: 1 + Int(seed >> 40 % 9),
                priceCents: price, currency: .usd)
        }
        return flights.sorted { ($0.priceCents, $0.flightID) < ($1.priceCents, $1.flightID) }
    }

    /// Re-derives a flight from its ID (IDs encode route, date, number, cabin and passengers).
    static func flight(id: String) throws -> Flight? {
        let parts = id.split(separator: "-").map(String.init)
        guard parts.count == 8, let passengers = Int(parts[7]), let cabin = Cabin(rawValue: parts[6]) else { return nil }
        let request = FlightSearchRequest(
            from: parts[0], to: parts[1], date: "\(parts[2])-\(parts[3])-\(parts[4])", passengers: passengers,
            cabin: cabin)
        return (try? search(request))?.first { $0.flightID == id }
    }

    private static func clockTime(day: Int, minute: Int) -> String {
        let date = formatDay(day + minute / 1440)
        let m = minute % 1440
        let hh = m / 60 < 10 ? "0\(m / 60)" : "\(m / 60)"
        let mm = m % 60 < 10 ? "0\(m % 60)" : "\(m % 60)"
        return "\(date)T\(hh):\(mm)"
    }
}

extension Flight {
    /// Passengers priced into this flight (encoded in its ID).
    var passengerCount: Int { Int(flightID.split(separator: "-").last ?? "1") ?? 1 }
}
