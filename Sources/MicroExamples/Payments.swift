import Micro

/// Currencies the example payment service accepts.
public enum Currency: String, Codable, Sendable, CaseIterable {
    case usd = "USD", eur = "EUR", gbp = "GBP", jpy = "JPY"
}

public struct ChargeRequest: Codable, Sendable, SchemaDescribing {
    public var amountCents: Int
    public var currency: Currency
    public var reference: String
    public var description: String?

    public init(amountCents: Int, currency: Currency, reference: String, description: String? = nil) {
        self.amountCents = amountCents
        self.currency = currency
        self.reference = reference
        self.description = description
    }

    public static var schemaDescription: String? { "A payment to take from the traveller's card." }
    public static var fieldDescriptions: [String: String] {
        [
            "amountCents": "Amount in the currency's minor unit (cents); must be positive.",
            "currency": "ISO 4217 currency code.",
            "reference": "What the payment is for, e.g. a booking reference.",
            "description": "Optional text shown on the statement.",
        ]
    }
}

public struct Charge: Codable, Sendable, Hashable, SchemaDescribing {
    public enum Status: String, Codable, Sendable, CaseIterable { case captured, refunded }
    public var chargeID: String
    public var amountCents: Int
    public var currency: Currency
    public var reference: String
    public var status: Status

    public static var fieldDescriptions: [String: String] {
        ["chargeID": "Identifier of the charge, used to refund it.", "status": "Whether the money is held or returned."]
    }
}

public struct RefundRequest: Codable, Sendable, SchemaDescribing {
    public var chargeID: String
    public init(chargeID: String) { self.chargeID = chargeID }
    public static var fieldDescriptions: [String: String] { ["chargeID": "The charge to refund in full."] }
}

public struct LedgerRequest: Codable, Sendable, SchemaDescribing {
    public var reference: String?
    public init(reference: String? = nil) { self.reference = reference }
    public static var fieldDescriptions: [String: String] { ["reference": "Only entries for this reference."] }
}

public struct LedgerEntries: Codable, Sendable, Hashable {
    public var entries: [SideEffect]
    public var totalCapturedCents: Int
}

/// The example payment service. Every charge and refund is a side effect recorded in the
/// ``SideEffectLedger`` under the call's idempotency key, so a retried or resumed call never charges twice.
public enum Payments {
    public static let name = "payments"

    public static func service(store: any Store) -> Service {
        let ledger = SideEffectLedger(store: store)
        let charges = store.namespace("payments.charges")
        return Service(name, description: "Takes and refunds card payments; every effect is recorded in a ledger.") {
            Endpoint("charge", description: "Charge the traveller's card. Returns the charge with its ID.") {
                (request: ChargeRequest, context: CallContext) async throws -> Charge in
                guard request.amountCents > 0 else {
                    throw ServiceError(.invalidArguments, "amountCents must be positive, got \(request.amountCents)")
                }
                guard request.amountCents <= 5_000_000 else {
                    throw ServiceError(.rejected, "card declined: \(request.amountCents) cents exceeds the card limit")
                }
                let charge = Charge(
                    chargeID: reference("CH", context.idempotencyKey), amountCents: request.amountCents,
                    currency: request.currency, reference: request.reference, status: .captured)
                let effect = try await ledger.perform(
                    key: context.idempotencyKey, kind: "payments.charge", payload: JSONValueEncoder().encode(charge),
                    at: context.environment.now())
                let recorded = try JSONValueDecoder().decode(Charge.self, from: effect.payload)
                if try await charges.read(recorded.chargeID, as: Charge.self) == nil {
                    try await charges.write(recorded.chargeID, recorded)
                }
                return try await charges.read(recorded.chargeID, as: Charge.self) ?? recorded
            }
            Endpoint("refund", description: "Refund a captured charge in full.") {
                (request: RefundRequest, context: CallContext) async throws -> Charge in
                guard var charge = try await charges.read(request.chargeID, as: Charge.self) else {
                    throw ServiceError(.notFound, "no charge \(request.chargeID)")
                }
                if charge.status == .refunded { return charge }
                charge.status = .refunded
                _ = try await ledger.perform(
                    key: context.idempotencyKey, kind: "payments.refund", payload: JSONValueEncoder().encode(charge),
                    at: context.environment.now())
                try await charges.write(charge.chargeID, charge)
                return charge
            }
            Endpoint("ledger", description: "List the recorded payment side effects, oldest first.") {
                (request: LedgerRequest, _: CallContext) async throws -> LedgerEntries in
                let all = try await ledger.entries().filter { $0.kind.hasPrefix("payments.") }
                let entries = all.filter { entry in
                    request.reference.map { entry.payload["reference"]?.stringValue == $0 } ?? true
                }
                let captured = entries.reduce(0) { total, entry in
                    let amount = entry.payload["amountCents"]?.intValue ?? 0
                    return total + (entry.kind == "payments.charge" ? amount : -amount)
                }
                return LedgerEntries(entries: entries, totalCapturedCents: captured)
            }
        }
    }
}
