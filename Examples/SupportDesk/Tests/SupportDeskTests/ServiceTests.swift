import Micro
import MicroAgent
import SupportDesk
import Testing

/// The desk's services on their own, through a plain runtime: what they refuse and what they do once.
@Suite struct ServiceTests {
    let runtime = Runtime.inMemory(environment: .simulated(seed: 1))
    var ledger: SideEffectLedger { SideEffectLedger(store: runtime.store) }

    /// Calls `endpoint` as a run would, under the idempotency key `key`.
    func call(_ service: Service, _ endpoint: String, _ arguments: JSONValue, key: String) async throws -> JSONValue {
        if try await runtime.registry.getService(service.name).isEmpty { try await runtime.serve(service) }
        let context = CallContext(runID: "test", idempotencyKey: key, caller: "test", environment: runtime.environment)
        return try await runtime.client.call(service.name, endpoint, request: arguments, context: context)
    }

    @Test func aRefundIsRecordedOncePerIdempotencyKey() async throws {
        let refunds = Refunds.service(ledger: ledger)
        let first = try await call(refunds, "issue", ["orderID": "O-1001", "amountCents": 1000, "reason": "broken"], key: "k1")
        let again = try await call(refunds, "issue", ["orderID": "O-1001", "amountCents": 1000, "reason": "broken"], key: "k1")
        #expect(first == again)
        #expect(try await ledger.entries().count == 1)
        _ = try await call(refunds, "issue", ["orderID": "O-1001", "amountCents": 3200, "reason": "rest"], key: "k2")
        #expect(try await ledger.entries().count == 2)
    }

    @Test(arguments: [
        (["orderID": "O-1001", "amountCents": 4201, "reason": "x"] as JSONValue, "order O-1001 has 4200 cents left to refund, 4201 asked"),
        (["orderID": "O-9", "amountCents": 1, "reason": "x"] as JSONValue, "no order O-9"),
        (["orderID": "O-1001", "amountCents": 0, "reason": "x"] as JSONValue, "amountCents must be positive, got 0"),
    ])
    func refundsRefuse(arguments: JSONValue, message: String) async throws {
        await #expect {
            _ = try await call(Refunds.service(ledger: ledger), "issue", arguments, key: "k")
        } throws: { error in
            (error as? ServiceError)?.message.contains(message) == true
        }
        #expect(try await ledger.entries().isEmpty)
    }

    @Test func aPartRefundLeavesOnlyTheRestRefundable() async throws {
        let refunds = Refunds.service(ledger: ledger)
        _ = try await call(refunds, "issue", ["orderID": "O-1002", "amountCents": 1000, "reason": "x"], key: "a")
        await #expect {
            _ = try await call(refunds, "issue", ["orderID": "O-1002", "amountCents": 600, "reason": "x"], key: "b")
        } throws: { error in
            (error as? ServiceError)?.message == "order O-1002 has 599 cents left to refund, 600 asked"
        }
    }

    @Test func ticketsOpenOnceAndResolve() async throws {
        let tickets = Tickets.service(store: runtime.store, ledger: ledger)
        let opened = try await call(tickets, "open", ["customerID": "C-42", "subject": "broken"], key: "t1")
        let reopened = try await call(tickets, "open", ["customerID": "C-42", "subject": "broken"], key: "t1")
        #expect(opened == reopened)
        let id = try #require(opened["ticketID"]?.stringValue)
        let resolved = try await call(tickets, "resolve", ["ticketID": .string(id), "resolution": "refunded"], key: "t2")
        #expect(resolved["status"]?.stringValue == "resolved")
        #expect(try await ledger.entries().map(\.kind) == ["tickets.open", "tickets.resolve"])
    }
}
