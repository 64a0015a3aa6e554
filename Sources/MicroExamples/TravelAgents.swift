import Micro
import MicroAgent

/// The bundled example workflow: a coordinator that plans a Lisbon trip, checks the weather, delegates the
/// hotel booking to a booker agent and pays a deposit. Its models are scripted (no network, no keys) and
/// answer by conversation turn, so a run resumed in a new process gets the same answers.
public enum TravelAgents {
    public static let coordinator = "coordinator"
    public static let booker = "booker"
    public static let prompt = "Book my Lisbon trip for May 1st, two nights, and put down the tour deposit."

    public static func all() -> [Agent] {
        [
            Agent(
                name: coordinator, description: "plans and books trips",
                instructions: "You plan trips. Make a plan, check the weather, delegate hotel bookings to the booker, "
                    + "take the tour deposit, then summarize.",
                model: ScriptedModel([
                    .calls([
                        ToolCall(id: "plan-1", name: "plan", arguments: [
                            "steps": [["title": "Check the weather"], ["title": "Book the hotel"], ["title": "Take the deposit"]],
                        ]),
                        ToolCall(id: "weather-1", name: "weather_forecast", arguments: ["city": "Lisbon", "from": "2026-05-01", "days": 2]),
                    ]),
                    .calls([
                        ToolCall(id: "delegate-1", name: "delegate", arguments: [
                            "agent": .string(booker), "task": "Book hotel lisbon:0 from 2026-05-01 for 2 nights for Ada Lovelace",
                        ]),
                    ]),
                    .calls([
                        ToolCall(id: "charge-1", name: "payments_charge", arguments: [
                            "amountCents": 5000, "currency": "EUR", "reference": "tour-deposit",
                        ]),
                        ToolCall(id: "weather-2", name: "weather_forecast", arguments: ["city": "Lisbon", "from": "2026-05-03", "days": 1]),
                    ]),
                    .answer("Trip booked: the hotel is confirmed, the tour deposit is paid and the forecast is mild."),
                ], selection: .byAssistantTurns)),
            Agent(
                name: booker, description: "books hotels",
                instructions: "You book hotels. Search, book the requested hotel, and report the booking.",
                model: ScriptedModel([
                    .calls([
                        ToolCall(id: "search-1", name: "travel_hotels_search", arguments: [
                            "city": "Lisbon", "checkIn": "2026-05-01", "nights": 2,
                        ]),
                    ]),
                    .calls([
                        ToolCall(id: "book-1", name: "travel_hotels_book", arguments: [
                            "hotelID": "lisbon:0", "checkIn": "2026-05-01", "nights": 2, "guestName": "Ada Lovelace",
                        ]),
                    ]),
                    .answer("Booked lisbon:0 for Ada Lovelace."),
                ], selection: .byAssistantTurns),
                tools: .services([Hotels.name])),
        ]
    }
}
