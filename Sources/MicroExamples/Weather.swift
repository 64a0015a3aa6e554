import Foundation
import Micro

public struct ForecastRequest: Codable, Sendable, SchemaDescribing {
    public var city: String
    public var from: String
    public var days: Int?
    public var units: TemperatureUnit?

    public init(city: String, from: String, days: Int? = nil, units: TemperatureUnit? = nil) {
        self.city = city
        self.from = from
        self.days = days
        self.units = units
    }

    public static var fieldDescriptions: [String: String] {
        [
            "city": "City name, e.g. Tokyo.", "from": "First day as YYYY-MM-DD.",
            "days": "Number of days, 1 to 14 (default 3).", "units": "Temperature unit (default celsius).",
        ]
    }
}

public enum TemperatureUnit: String, Codable, Sendable, CaseIterable { case celsius, fahrenheit }

public struct DailyForecast: Codable, Sendable, Hashable {
    public enum Sky: String, Codable, Sendable, CaseIterable { case sunny, cloudy, rain, storm, snow }
    public var date: String
    public var sky: Sky
    public var high: Double
    public var low: Double
    public var precipitationChance: Double
}

public struct Forecast: Codable, Sendable, Hashable {
    public var city: String
    public var units: TemperatureUnit
    public var days: [DailyForecast]
}

/// The example weather service: a deterministic forecast derived from the city's latitude and the season.
public enum Weather {
    public static let name = "weather"

    public static func service() -> Service {
        Service(name, description: "Daily weather forecasts by city.") {
            Endpoint("forecast", description: "Daily forecast for a city over the next days.") {
                (request: ForecastRequest, _: CallContext) async throws -> Forecast in
                try forecast(request)
            }
        }
    }

    static func forecast(_ request: ForecastRequest) throws -> Forecast {
        guard let airport = Catalog.airport(city: request.city) else {
            throw ServiceError(.notFound, "no forecast for \(request.city); cities: \(Catalog.knownCities)")
        }
        let count = request.days ?? 3
        guard (1...14).contains(count) else {
            throw ServiceError(.invalidArguments, "days must be between 1 and 14, got \(count)")
        }
        let first = try parseDay(request.from, field: "from")
        let units = request.units ?? .celsius
        let days = (0..<count).map { offset -> DailyForecast in
            let day = first + offset
            let seed = stableHash(airport.city, String(day))
            let dayOfYear = Double(((day % 365) + 365) % 365)
            let season = -cos((dayOfYear - 15) / 365 * 2 * .pi) * (airport.latitude >= 0 ? 1 : -1)
            let mean = 27 - abs(airport.latitude) * 0.35 + season * (4 + abs(airport.latitude) * 0.2)
            let noise = Double(Int(seed % 60) - 30) / 10
            let high = mean + 4 + noise
            let low = mean - 4 + noise / 2
            let skies = DailyForecast.Sky.allCases
            let sky = low < 0 && seed >> 8 % 3 == 0 ? .snow : skies[Int(seed >> 16 % 4)]
            func convert(_ c: Double) -> Double {
                ((units == .celsius ? c : c * 9 / 5 + 32) * 10).rounded() / 10
            }
            return DailyForecast(
                date: formatDay(day), sky: sky, high: convert(high), low: convert(low),
                precipitationChance: sky == .sunny ? 0.05 : Double(30 + Int(seed >> 24 % 60)) / 100)
        }
        return Forecast(city: airport.city, units: units, days: days)
    }
}
