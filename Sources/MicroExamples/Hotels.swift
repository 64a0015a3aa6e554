import Foundation
import Micro

public struct HotelSearchRequest: Codable, Sendable, SchemaDescribing {
    public var city: String
    public var checkIn: String
    public var nights: Int
    public var guests: Int?
    public var maxPricePerNightCents: Int?

    public init(city: String, checkIn: String, nights: Int, guests: Int? = nil, maxPricePerNightCents: Int? = nil) {
        self.city = city
        self.checkIn = checkIn
        self.nights = nights
        self.guests = guests
        self.maxPricePerNightCents = maxPricePerNightCents
    }

    public static var fieldDescriptions: [String: String] {
        [
            "city": "City name, e.g. Lisbon.",
            "checkIn": "Arrival date as YYYY-MM-DD.",
            "nights": "Number of nights, 1 to 30.",
            "guests": "Number of guests (default 1, at most 6).",
            "maxPricePerNightCents": "Only hotels at or below this nightly price.",
        ]
    }
}

public struct Hotel: Codable, Sendable, Hashable, SchemaDescribing {
    public var hotelID: String
    public var name: String
    public var city: String
    public var stars: Int
    public var pricePerNightCents: Int
    public var totalCents: Int
    public var currency: Currency
    public var roomsLeft: Int

    public static var fieldDescriptions: [String: String] {
        ["hotelID": "Identifier to book this hotel with.", "totalCents": "Price for the whole stay, in cents."]
    }
}

public struct HotelSearchResults: Codable, Sendable, Hashable {
    public var hotels: [Hotel]
}

public struct HotelBookingRequest: Codable, Sendable, SchemaDescribing {
    public var hotelID: String
    public var checkIn: String
    public var nights: Int
    public var guestName: String

    public init(hotelID: String, checkIn: String, nights: Int, guestName: String) {
        self.hotelID = hotelID
        self.checkIn = checkIn
        self.nights = nights
        self.guestName = guestName
    }

    public static var fieldDescriptions: [String: String] {
        [
            "hotelID": "A hotelID returned by search.", "checkIn": "Arrival date as YYYY-MM-DD.",
            "nights": "Number of nights, 1 to 30.", "guestName": "Full name of the lead guest.",
        ]
    }
}

public struct HotelBooking: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, CaseIterable { case confirmed, cancelled }
    public var bookingID: String
    public var hotel: Hotel
    public var checkIn: String
    public var checkOut: String
    public var guestName: String
    public var chargeID: String
    public var status: Status
}

public struct HotelCancellationRequest: Codable, Sendable, SchemaDescribing {
    public var bookingID: String
    public init(bookingID: String) { self.bookingID = bookingID }
    public static var fieldDescriptions: [String: String] { ["bookingID": "The booking to cancel; it is refunded."] }
}

/// The example hotel service: deterministic hotels per city, bookings paid (and cancellations refunded)
/// through the payment service, each exactly once per idempotency key.
public enum Hotels {
    public static let name = "travel.hotels"
    static let names = ["Grand", "Harbour View", "Old Town Inn", "Plaza", "Garden Suites", "Station Lodge"]

    public static func service(store: any Store, client: Client) -> Service {
        let bookings = store.namespace("travel.hotels.bookings")
        return Service(name, description: "Searches, books and cancels hotel rooms.") {
            Endpoint("search", description: "Find available hotels in a city for a stay, cheapest first.") {
                (request: HotelSearchRequest, _: CallContext) async throws -> HotelSearchResults in
                HotelSearchResults(hotels: try search(request))
            }
            Endpoint("book", description: "Book a hotel found by search and pay for the stay.") {
                (request: HotelBookingRequest, context: CallContext) async throws -> HotelBooking in
                if let existing = try await bookings.read("by-key/\(context.idempotencyKey)", as: HotelBooking.self) {
                    return existing
                }
                guard !request.guestName.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ServiceError(.invalidArguments, "guestName must not be empty")
                }
                let slug = request.hotelID.split(separator: ":").first.map(String.init) ?? ""
                let city = Catalog.airport(slug: slug)?.city ?? slug
                let offers = try search(HotelSearchRequest(city: city, checkIn: request.checkIn, nights: request.nights))
                guard let hotel = offers.first(where: { $0.hotelID == request.hotelID }) else {
                    throw ServiceError(.notFound, "no hotel \(request.hotelID); use a hotelID returned by search")
                }
                let charge = try await client.call(
                    Payments.name, "charge",
                    request: ChargeRequest(
                        amountCents: hotel.totalCents, currency: hotel.currency, reference: hotel.hotelID,
                        description: "\(hotel.name), \(request.nights) nights"),
                    as: Charge.self, context: context.nested(caller: name, key: "charge"))
                let booking = HotelBooking(
                    bookingID: reference("HB", context.idempotencyKey), hotel: hotel, checkIn: request.checkIn,
                    checkOut: formatDay(try parseDay(request.checkIn, field: "checkIn") + request.nights),
                    guestName: request.guestName, chargeID: charge.chargeID, status: .confirmed)
                try await bookings.write("booking/\(booking.bookingID)", booking)
                try await bookings.write("by-key/\(context.idempotencyKey)", booking)
                return booking
            }
            Endpoint("cancel", description: "Cancel a hotel booking and refund its charge.") {
                (request: HotelCancellationRequest, context: CallContext) async throws -> HotelBooking in
                guard var booking = try await bookings.read("booking/\(request.bookingID)", as: HotelBooking.self) else {
                    throw ServiceError(.notFound, "no booking \(request.bookingID)")
                }
                if booking.status == .cancelled { return booking }
                _ = try await client.call(
                    Payments.name, "refund", request: RefundRequest(chargeID: booking.chargeID), as: Charge.self,
                    context: context.nested(caller: name, key: "refund"))
                booking.status = .cancelled
                try await bookings.write("booking/\(booking.bookingID)", booking)
                return booking
            }
        }
    }

    static func search(_ request: HotelSearchRequest) throws -> [Hotel] {
        guard let airport = Catalog.airport(city: request.city) else {
            throw ServiceError(.notFound, "no hotels known in \(request.city); cities: \(Catalog.knownCities)")
        }
        guard (1...30).contains(request.nights) else {
            throw ServiceError(.invalidArguments, "nights must be between 1 and 30, got \(request.nights)")
        }
        let guests = request.guests ?? 1
        guard (1...6).contains(guests) else {
            throw ServiceError(.invalidArguments, "guests must be between 1 and 6, got \(guests)")
        }
        _ = try parseDay(request.checkIn, field: "checkIn")
        let hotels = names.enumerated().compactMap { index, base -> Hotel? in
            let seed = stableHash(airport.city, base, request.checkIn)
            let stars = 2 + Int(stableHash(airport.city, base) % 4)
            let nightly = (stars * 4_500 + Int(seed % 6_000) + (guests - 1) * 2_500) / 100 * 100
            let roomsLeft = Int(seed >> 12 % 7)
            guard roomsLeft > 0 else { return nil }
            return Hotel(
                hotelID: "\(Catalog.slug(airport.city)):\(index)",
                name: "\(airport.city) \(base)", city: airport.city, stars: stars, pricePerNightCents: nightly,
                totalCents: nightly * request.nights, currency: .usd, roomsLeft: roomsLeft)
        }
        return hotels
            .filter { hotel in request.maxPricePerNightCents.map { hotel.pricePerNightCents <= $0 } ?? true }
            .sorted { ($0.totalCents, $0.hotelID) < ($1.totalCents, $1.hotelID) }
    }
}
