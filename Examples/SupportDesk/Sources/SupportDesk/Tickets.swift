import Micro

public struct Ticket: Codable, Sendable, Hashable, SchemaDescribing {
    public enum Status: String, Codable, Sendable, CaseIterable { case open, resolved }
    public var ticketID: String
    public var customerID: String
    public var subject: String
    public var status: Status
    public var resolution: String?
    /// When it was opened, in milliseconds since 1970 on the world's clock.
    public var openedAt: Int64
}

public struct OpenTicketRequest: Codable, Sendable, SchemaDescribing {
    public var customerID: String
    public var subject: String
    public static var fieldDescriptions: [String: String] {
        ["customerID": "Who the ticket is for, e.g. C-42.", "subject": "The customer's problem in one line."]
    }
}

public struct ResolveTicketRequest: Codable, Sendable, SchemaDescribing {
    public var ticketID: String
    public var resolution: String
    public static var fieldDescriptions: [String: String] { ["resolution": "What was done, as the customer will read it."] }
}

public struct HistoryRequest: Codable, Sendable, SchemaDescribing {
    public var customerID: String
    public var page: Int
    public static var fieldDescriptions: [String: String] { ["page": "1 for the newest conversations, higher for older ones."] }
}

public struct History: Codable, Sendable, Hashable {
    public var customerID: String
    public var page: Int
    public var pages: Int
    public var conversations: [String]
}

/// Support tickets in the store: opened and resolved exactly once per call (ledger), and the customer's
/// earlier conversations, page by page (long: what fills a model's context window).
public enum Tickets {
    public static let name = "support.tickets"
    public static let historyPages = 6

    public static func service(store: any Store, ledger: SideEffectLedger) -> Service {
        let tickets = store.namespace("support.tickets")
        return Service(name, description: "Opens, reads and resolves support tickets.") {
            Endpoint("open", description: "Open a ticket for a customer. Returns the ticket with its ID.") {
                (request: OpenTicketRequest, context: CallContext) async throws -> Ticket in
                guard Customers.all.contains(where: { $0.customerID == request.customerID }) else {
                    throw ServiceError(.notFound, "no customer \(request.customerID)")
                }
                let ticket = Ticket(
                    ticketID: "T-" + shortHash(context.idempotencyKey), customerID: request.customerID, subject: request.subject,
                    status: .open, resolution: nil, openedAt: context.environment.now().millisecondsSinceEpoch)
                let effect = try await ledger.perform(
                    key: context.idempotencyKey, kind: "tickets.open", payload: JSONValueEncoder().encode(ticket),
                    at: context.environment.now())
                let opened = try JSONValueDecoder().decode(Ticket.self, from: effect.payload)
                if try await tickets.read(opened.ticketID, as: Ticket.self) == nil { try await tickets.write(opened.ticketID, opened) }
                return opened
            }
            Endpoint("get", description: "One ticket by ID.") { (request: TicketRequest, _: CallContext) async throws -> Ticket in
                guard let ticket = try await tickets.read(request.ticketID, as: Ticket.self) else {
                    throw ServiceError(.notFound, "no ticket \(request.ticketID)")
                }
                return ticket
            }
            Endpoint("resolve", description: "Close a ticket with what was done.") {
                (request: ResolveTicketRequest, context: CallContext) async throws -> Ticket in
                guard var ticket = try await tickets.read(request.ticketID, as: Ticket.self) else {
                    throw ServiceError(.notFound, "no ticket \(request.ticketID)")
                }
                if ticket.status == .resolved { return ticket }
                ticket.status = .resolved
                ticket.resolution = request.resolution
                try await ledger.perform(
                    key: context.idempotencyKey, kind: "tickets.resolve", payload: JSONValueEncoder().encode(ticket),
                    at: context.environment.now())
                try await tickets.write(ticket.ticketID, ticket)
                return ticket
            }
            Endpoint("history", description: "The customer's earlier support conversations, newest page first.") {
                (request: HistoryRequest, _: CallContext) async throws -> History in
                guard let customer = Customers.all.first(where: { $0.customerID == request.customerID }) else {
                    throw ServiceError(.notFound, "no customer \(request.customerID)")
                }
                guard (1...historyPages).contains(request.page) else {
                    throw ServiceError(.invalidArguments, "page must be 1...\(historyPages), got \(request.page)")
                }
                return History(
                    customerID: customer.customerID, page: request.page, pages: historyPages,
                    conversations: (0..<3).map { conversation(customer, page: request.page, index: $0) })
            }
        }
    }

    /// An earlier conversation, made up the same way every time (about 120 words).
    static func conversation(_ customer: Customer, page: Int, index: Int) -> String {
        let topics = ["a late delivery", "a damaged parcel", "a billing address change", "a missing invoice", "a warranty claim", "a password reset"]
        let topic = topics[(page * 3 + index) % topics.count]
        let order = customer.orders[(page + index) % customer.orders.count]
        return """
            Conversation \(page)-\(index + 1) with \(customer.name) about \(topic) on order \(order.orderID) (\(order.item)). \
            The customer wrote in to say that \(topic) had left them without the \(order.item.lowercased()) they had paid \
            \(order.amountCents / 100) euros for, and asked what could be done. The agent apologised, checked the order \
            history and the courier's tracking, explained the options (waiting for the courier's next attempt, a replacement \
            shipped by express, or a refund to the original payment method), and confirmed the customer's contact details. \
            The customer chose to wait for the next delivery attempt and asked to be told by email when the parcel moved. \
            The agent added a note to the account, set a reminder for three days later, and closed the conversation politely.
            """
    }
}

public struct TicketRequest: Codable, Sendable, SchemaDescribing {
    public var ticketID: String
    public static var fieldDescriptions: [String: String] { ["ticketID": "The ticket's ID, e.g. T-0A1B2C3D."] }
}
