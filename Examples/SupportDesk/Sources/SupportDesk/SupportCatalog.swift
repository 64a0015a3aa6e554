import Micro
import MicroAgent
import MicroHarness

extension Catalog {
    /// What the desk's scenario files name: services `customers`, `tickets`, `refunds`, `outages` (and `desk`
    /// for the first three), agents `triage` and `refunds` with their rule-based models (backends
    /// `support-triage`, `support-refunds`), the `refund_total` expectation and the `gateway_down` tool fault.
    public static let supportDesk = Catalog(
        services: [
            CatalogService("customers", description: "customer directory") { _ in [Customers.service()] },
            CatalogService("tickets", description: "support tickets") { world in [Tickets.service(store: world.store, ledger: world.ledger)] },
            CatalogService("refunds", description: "refunds with a ledger") { world in [Refunds.service(ledger: world.ledger)] },
            CatalogService("outages", description: "delivery outages by city") { _ in [Outages.service()] },
            CatalogService("desk", description: "customers, tickets and refunds") { world in
                [Customers.service(), Tickets.service(store: world.store, ledger: world.ledger), Refunds.service(ledger: world.ledger)]
            },
        ],
        agents: [
            CatalogAgent(
                SupportAgents.triage, description: "first line: tickets, customers, hands refunds on",
                instructions: SupportAgents.triageInstructions, tools: ["customers", "tickets"], model: .named("support-triage")),
            CatalogAgent(
                SupportAgents.refunds, description: "issues refunds", instructions: SupportAgents.refundsInstructions,
                tools: ["customers", "refunds"], model: .named("support-refunds")),
        ],
        models: [
            "support-triage": { _ in SupportAgents.triageModel() },
            "support-refunds": { _ in SupportAgents.refundsModel() },
        ],
        expectations: [RefundTotal.self],
        toolFaults: [
            ToolFaultKind("gateway_down") { _, _, _ in
                throw ServiceError(.unavailable, "payment gateway unavailable (HTTP 503 from the acquirer); nothing was refunded")
            },
        ])
}

/// `refund_total: CENTS` or `refund_total: {cents: CENTS, order: ID}`: the refunds in the ledger (of one order,
/// when given) add up to exactly CENTS — money out of the door, counted once per ledger entry, so a refund
/// repeated by a retry or a resume shows.
public struct RefundTotal: ScenarioExpectation {
    public static let name = "refund_total"
    public let cents: Int
    public let order: String?

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            cents = try node.int()
            order = nil
        } else {
            let map = try node.mapping(["cents", "order"])
            cents = try map.required("cents").int()
            order = try map["order"]?.string()
        }
        if cents < 0 { throw node.error("refund_total must not be negative, got \(cents)") }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let refunds = record.sideEffects.filter { effect in
            effect.kind == Refunds.effectKind && order.map { effect.payload["orderID"]?.stringValue == $0 } ?? true
        }
        let total = refunds.compactMap { $0.payload["amountCents"]?.intValue }.reduce(0, +)
        let which = order.map { " of order \($0)" } ?? ""
        return Verdict(total == cents, "refunds\(which) total \(total) cents in \(refunds.count) ledger entries, expected \(cents)")
    }
}
