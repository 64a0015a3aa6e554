import Micro

public struct RefundRequest: Codable, Sendable, SchemaDescribing {
    public var orderID: String
    public var amountCents: Int
    public var reason: String

    public static var schemaDescription: String? { "Money to give back to a customer for one order." }
    public static var fieldDescriptions: [String: String] {
        [
            "orderID": "The order to refund, e.g. O-1001.",
            "amountCents": "How much to refund, in cents: positive, at most what was paid less earlier refunds.",
            "reason": "Why, in the customer's words.",
        ]
    }
}

public struct Refund: Codable, Sendable, Hashable, SchemaDescribing {
    public var refundID: String
    public var orderID: String
    public var amountCents: Int
    public var currency: String
    public var reason: String
}

public struct RefundList: Codable, Sendable, Hashable {
    public var refunds: [Refund]
    public var totalCents: Int
}

public struct RefundListRequest: Codable, Sendable, SchemaDescribing {
    public var orderID: String?
    public static var fieldDescriptions: [String: String] { ["orderID": "Only refunds of this order."] }
}

/// Refunds against orders. Each refund is a side effect in the ledger (the refunds' record) under the call's
/// idempotency key, so a retried or resumed call never pays out twice; a refund may not exceed what the order
/// has left.
public enum Refunds {
    public static let name = "support.refunds"
    /// The ledger kind of a refund.
    public static let effectKind = "refunds.issue"

    public static func service(ledger: SideEffectLedger) -> Service {
        Service(name, description: "Issues refunds against orders; every refund is recorded in a ledger.") {
            Endpoint("issue", description: "Refund part or all of an order. Returns the refund with its ID.") {
                (request: RefundRequest, context: CallContext) async throws -> Refund in
                let issued = try await refunds(in: ledger)
                if let done = issued.first(where: { $0.key == context.idempotencyKey }) { return done.refund }
                guard let order = Customers.order(request.orderID) else {
                    throw ServiceError(.notFound, "no order \(request.orderID)")
                }
                guard request.amountCents > 0 else {
                    throw ServiceError(.invalidArguments, "amountCents must be positive, got \(request.amountCents)")
                }
                let left = order.amountCents - issued.filter { $0.refund.orderID == order.orderID }.reduce(0) { $0 + $1.refund.amountCents }
                guard request.amountCents <= left else {
                    throw ServiceError(.rejected, "order \(order.orderID) has \(left) cents left to refund, \(request.amountCents) asked")
                }
                let refund = Refund(
                    refundID: "RF-" + shortHash(context.idempotencyKey), orderID: order.orderID, amountCents: request.amountCents,
                    currency: order.currency, reason: request.reason)
                let effect = try await ledger.perform(
                    key: context.idempotencyKey, kind: effectKind, payload: JSONValueEncoder().encode(refund),
                    at: context.environment.now())
                return try JSONValueDecoder().decode(Refund.self, from: effect.payload)
            }
            Endpoint("list", description: "Refunds issued so far, oldest first, with their total.") {
                (request: RefundListRequest, _: CallContext) async throws -> RefundList in
                let all = try await refunds(in: ledger).map(\.refund).filter { refund in request.orderID.map { refund.orderID == $0 } ?? true }
                return RefundList(refunds: all, totalCents: all.reduce(0) { $0 + $1.amountCents })
            }
        }
    }

    /// The refunds the ledger holds, oldest first, with the idempotency key each was issued under.
    static func refunds(in ledger: SideEffectLedger) async throws -> [(key: String, refund: Refund)] {
        try await ledger.entries().filter { $0.kind == effectKind }.map { ($0.key, try JSONValueDecoder().decode(Refund.self, from: $0.payload)) }
    }
}

/// Eight hex digits of FNV-1a over `text`: short, stable IDs derived from idempotency keys.
func shortHash(_ text: String) -> String {
    var hash: UInt32 = 2_166_136_261
    for byte in text.utf8 {
        hash ^= UInt32(byte)
        hash = hash &* 16_777_619
    }
    let hex = String(hash, radix: 16, uppercase: true)
    return String(repeating: "0", count: 8 - hex.count) + hex
}
