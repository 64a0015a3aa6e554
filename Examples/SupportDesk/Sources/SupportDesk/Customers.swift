import Micro

/// An order a customer placed; refunds are taken against it.
public struct Order: Codable, Sendable, Hashable, SchemaDescribing {
    public var orderID: String
    public var customerID: String
    public var item: String
    public var amountCents: Int
    public var currency: String

    public static var fieldDescriptions: [String: String] {
        ["amountCents": "What the customer paid, in cents.", "currency": "ISO 4217 code."]
    }
}

public struct Customer: Codable, Sendable, Hashable, SchemaDescribing {
    public var customerID: String
    public var name: String
    public var email: String
    public var tier: String
    public var orders: [Order]

    public static var fieldDescriptions: [String: String] { ["tier": "standard or gold; gold customers get refunds without review."] }
}

public struct CustomerRequest: Codable, Sendable, SchemaDescribing {
    public var customerID: String
    public static var fieldDescriptions: [String: String] { ["customerID": "The customer's ID, e.g. C-42."] }
}

public struct OrderRequest: Codable, Sendable, SchemaDescribing {
    public var orderID: String
    public static var fieldDescriptions: [String: String] { ["orderID": "The order's ID, e.g. O-1001."] }
}

/// The customer directory: who the customers are and what they ordered. Read-only, so it needs no store.
public enum Customers {
    public static let name = "support.customers"

    public static let all: [Customer] = [
        Customer(
            customerID: "C-42", name: "Ada Lovelace", email: "ada@example.com", tier: "gold",
            orders: [
                Order(orderID: "O-1001", customerID: "C-42", item: "Noise-cancelling headphones", amountCents: 4200, currency: "EUR"),
                Order(orderID: "O-1002", customerID: "C-42", item: "USB-C cable", amountCents: 1599, currency: "EUR"),
            ]),
        Customer(
            customerID: "C-7", name: "Grace Hopper", email: "grace@example.com", tier: "standard",
            orders: [Order(orderID: "O-2001", customerID: "C-7", item: "Mechanical keyboard", amountCents: 12900, currency: "EUR")]),
    ]

    /// The order called `id`, wherever it is.
    public static func order(_ id: String) -> Order? { all.lazy.flatMap(\.orders).first { $0.orderID == id } }

    public static func service() -> Service {
        Service(name, description: "Looks up customers and their orders.") {
            Endpoint("lookup", description: "A customer's profile and orders by customer ID.") {
                (request: CustomerRequest, _: CallContext) async throws -> Customer in
                guard let customer = all.first(where: { $0.customerID == request.customerID }) else {
                    throw ServiceError(.notFound, "no customer \(request.customerID)")
                }
                return customer
            }
            Endpoint("order", description: "One order by order ID.") { (request: OrderRequest, _: CallContext) async throws -> Order in
                guard let order = order(request.orderID) else { throw ServiceError(.notFound, "no order \(request.orderID)") }
                return order
            }
        }
    }
}
