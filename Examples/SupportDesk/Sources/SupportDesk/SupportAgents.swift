import Micro
import MicroAgent

/// The desk's two agents. `triage` reads the customer's message, looks the customer up, opens a ticket, asks
/// which order when the message does not say (`request_input`), hands refunds to `refunds` (`delegate`) and
/// resolves the ticket. `refunds` checks the order and issues the refund, retrying a gateway outage twice.
public enum SupportAgents {
    public static let triage = "triage"
    public static let refunds = "refunds"

    public static let triageInstructions = """
        You are the first line of a support desk. Look the customer up, open a ticket, and when they want money \
        back hand the refund to the refunds agent with the order ID; ask the customer which order if they do not \
        say. Resolve the ticket with what was done and tell the customer.
        """

    public static let refundsInstructions = """
        You issue refunds. Check the order, refund what was asked (the whole order unless an amount is given) and \
        report the refund ID. Retry a payment gateway outage at most twice; never refund more than was paid.
        """

    /// Triage's rules (its model backend `support-triage`).
    public static func triageModel() -> DeskModel {
        DeskModel(name: "triage-rules") { c in
            guard let customerID = Conversation.first("C-[0-9]+", in: c.task) else {
                return .answer("Please tell me your customer number (it starts with C-).")
            }
            guard c.succeeded("support_customers_lookup") != nil, let ticket = c.succeeded("support_tickets_open") else {
                if let failure = c.results(of: "support_customers_lookup").last?.errorMessage {
                    return .answer("I could not find your account: \(failure).")
                }
                return .calls([
                    c.call("support_customers_lookup", ["customerID": .string(customerID)], 0),
                    c.call("support_tickets_open", ["customerID": .string(customerID), "subject": .string(String(c.task.prefix(80)))], 1),
                ])
            }
            let ticketID = ticket["ticketID"]?.stringValue ?? ""
            if let resolved = c.succeeded("support_tickets_resolve") {
                return .answer("Ticket \(ticketID) is resolved: \(resolved["resolution"]?.stringValue ?? "")")
            }
            guard let delegated = c.results(of: "delegate").last else {
                let answer = c.succeeded("request_input")?["input"]?.stringValue ?? ""
                guard let orderID = Conversation.first("O-[0-9]+", in: c.task) ?? Conversation.first("O-[0-9]+", in: answer) else {
                    let orders = c.succeeded("support_customers_lookup")?["orders"]?.arrayValue ?? []
                    let list = orders.compactMap { order -> String? in
                        guard let id = order["orderID"]?.stringValue, let item = order["item"]?.stringValue else { return nil }
                        return "\(id) (\(item))"
                    }
                    return .calls([c.call("request_input", ["prompt": .string("Which order is this about? \(list.joined(separator: ", "))")])])
                }
                let amount = Conversation.first("[0-9]+ cents", in: c.task).map { " \($0)" } ?? " in full"
                return .calls([
                    c.call("delegate", [
                        "agent": .string(refunds),
                        "task": .string("Refund order \(orderID)\(amount) for customer \(customerID). The customer wrote: \(c.task)"),
                    ]),
                ])
            }
            let outcome = delegated.isError ? "the refund could not be done (\(delegated.errorMessage ?? ""))" : delegated.content["output"]?.stringValue ?? ""
            return .calls([c.call("support_tickets_resolve", ["ticketID": .string(ticketID), "resolution": .string(outcome)])])
        }
    }

    /// Refunds' rules (its model backend `support-refunds`).
    public static func refundsModel() -> DeskModel {
        DeskModel(name: "refunds-rules") { c in
            guard let orderID = Conversation.first("O-[0-9]+", in: c.task) else {
                return .answer("I need an order ID (O-…) to refund.")
            }
            guard let order = c.succeeded("support_customers_order") else {
                if let failure = c.results(of: "support_customers_order").last?.errorMessage {
                    return .answer("I cannot refund \(orderID): \(failure).")
                }
                return .calls([c.call("support_customers_order", ["orderID": .string(orderID)])])
            }
            let attempts = c.results(of: "support_refunds_issue")
            if let refund = attempts.last(where: { !$0.isError })?.content {
                let cents = refund["amountCents"]?.intValue ?? 0
                return .answer(
                    "Refunded \(cents / 100).\(String(format: "%02d", cents % 100)) \(refund["currency"]?.stringValue ?? "") "
                        + "for order \(orderID) (refund \(refund["refundID"]?.stringValue ?? "")).")
            }
            if let failure = attempts.last?.errorMessage, attempts.count >= 3 || !failure.contains("gateway") {
                return .answer("I could not refund order \(orderID): \(failure).")
            }
            let asked = Conversation.first("[0-9]+ cents", in: c.task).flatMap { Int($0.split(separator: " ")[0]) }
            return .calls([
                c.call("support_refunds_issue", [
                    "orderID": .string(orderID), "amountCents": .integer(asked ?? order["amountCents"]?.intValue ?? 0),
                    "reason": .string(Conversation.first("wrote: .*", in: c.task).map { String($0.dropFirst(7)) } ?? "requested by support"),
                ]),
            ])
        }
    }
}
