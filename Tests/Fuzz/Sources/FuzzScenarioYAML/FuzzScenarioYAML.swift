import FuzzSupport
import MicroHarness
import MicroTravel

/// Scenario files (`Scenario(parsing:file:catalog:)`, YAML through Yams) against the bundled travel catalogue,
/// so names resolve and the parser gets past them: a `ScenarioError` or a scenario, never a trap or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? Scenario(parsing: text, file: "/fuzz/scenario.yaml", catalog: .travel)
    return 0
}
