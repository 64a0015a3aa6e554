import Micro
import MicroExamples

/// The Swift services a scenario may name in `services:`.
public enum BundledServices {
    /// Names accepted in scenario files: the travel example's services, `travel` for all of them, and `bus`
    /// (publish and receive over the world's broker).
    public static let names = ["flights", "hotels", "payments", "weather", "travel", "bus"]

    /// Whether `name` is bundled.
    public static func contains(_ name: String) -> Bool { names.contains(name) }

    /// Whether the short name `name`, as scenario files write it, stands for the service called `serviceName`:
    /// the name itself, the last part of a dotted name (`hotels` for `travel.hotels`), or `travel` for every
    /// service of the travel example.
    public static func matches(_ serviceName: String, _ name: String) -> Bool {
        serviceName == name || serviceName.hasSuffix(".\(name)") || (name == "travel" && travel.contains(serviceName))
    }

    /// The services of the travel example.
    static let travel = [Flights.name, Hotels.name, Payments.name, Weather.name]

    /// The services `names` stand for, wired to `runtime`.
    public static func services(_ names: [String], in runtime: Runtime) -> [Service] {
        TravelServices.all(in: runtime).filter { service in names.contains { matches(service.name, $0) } }
    }
}
