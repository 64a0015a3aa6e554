import Micro

/// A manual virtual clock and a simulated environment on it, as every check starts with.
struct Simulation {
    let clock = VirtualClock(mode: .manual)
    var environment: Environment { Environment.simulated(clock: clock, ids: .incrementing()) }
}
