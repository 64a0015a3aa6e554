import Micro

/// The bundled example services: flights, hotels, payments (with a side-effect ledger) and weather.
public enum TravelServices {
    /// Every example service, wired to `runtime`'s store and client.
    public static func all(in runtime: Runtime) -> [Service] {
        [
            Flights.service(store: runtime.store, client: runtime.client),
            Hotels.service(store: runtime.store, client: runtime.client),
            Payments.service(store: runtime.store),
            Weather.service(),
        ]
    }

    /// Serves every example service on `runtime`.
    public static func serve(on runtime: Runtime) async throws {
        try await runtime.serve(all(in: runtime))
    }
}
