import Micro
import MicroExamples

/// The Swift services a scenario may name in `services:`.
public enum BundledServices {
    /// Names accepted in scenario files: the travel example's services, `travel` for all of them, and `bus`
    /// (publish and receive over the world's broker).
    public static let names = ["flights", "hotels", "payments", "weather", "travel", "bus"]

    /// Whether `name` is bundled.
    public static func named(_ name: String) -> String? { names.contains(name) ? name : nil }

    /// The services `names` stand for, wired to `runtime`.
    public static func services(_ names: [String], in runtime: Runtime) -> [Service] {
        let all = TravelServices.all(in: runtime)
        let wanted = Set(names)
        return all.filter { service in
            wanted.contains("travel") || wanted.contains { service.name == $0 || service.name.hasSuffix(".\($0)") }
        }
    }
}
