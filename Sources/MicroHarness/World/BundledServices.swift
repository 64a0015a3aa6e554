import Micro
import MicroExamples

/// The Swift services a scenario may name in `services:`.
public enum BundledServices {
    /// Names accepted in scenario files: the travel example's services, and `travel` for all of them.
    public static let names = ["flights", "hotels", "payments", "weather", "travel"]

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
