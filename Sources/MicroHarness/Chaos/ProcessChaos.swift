/// A chaos driver that kills `micro` processes running a scenario's workflow — the one process
/// (``ChaosRun``) or workers of a pool (``WorkerChaos``) — and checks each trial against an uninterrupted
/// reference run.
public protocol ProcessChaos: Sendable {
    /// The uninterrupted run every trial is compared with.
    func reference() async throws -> ChaosSummary
    /// Where the trials kill, from what the reference run reached.
    func points(reference: ChaosSummary) -> [KillPoint]
    /// Runs the trials; `progress` is called after each with how many are done.
    func trials(_ points: [KillPoint], reference: ChaosSummary, progress: @escaping @Sendable (Int) -> Void) async -> [ChaosTrial]
}

extension ChaosRun: ProcessChaos {}
extension WorkerChaos: ProcessChaos {}
