import Foundation
import Micro

public struct OutageRequest: Codable, Sendable, SchemaDescribing {
    public var location: String
    public static var fieldDescriptions: [String: String] { ["location": "A city, e.g. \"Paris, France\"."] }
}

public struct OutageStatus: Codable, Sendable, Hashable {
    public var location: String
    public var outage: Bool
    public var cause: String?
    public var expectedFix: String?
}

/// Known delivery and network outages by city (what the desk tells customers who ask why nothing arrives).
public enum Outages {
    public static let name = "support.outages"

    static let known: [String: OutageStatus] = [
        "paris": OutageStatus(location: "Paris", outage: true, cause: "courier depot closed by a strike", expectedFix: "2026-01-03"),
        "rome": OutageStatus(location: "Rome", outage: false),
        "lisbon": OutageStatus(location: "Lisbon", outage: false),
    ]

    public static func service() -> Service {
        Service(name, description: "Tells whether deliveries to a city are disrupted.") {
            Endpoint("status", description: "Whether deliveries to a location are disrupted, why, and until when.") {
                (request: OutageRequest, _: CallContext) async throws -> OutageStatus in
                let city = request.location.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
                guard let status = known[city] else {
                    throw ServiceError(.notFound, "no delivery area called \(request.location) (known: Lisbon, Paris, Rome)")
                }
                return status
            }
        }
    }
}
