import Micro

/// A flow step's model: its requests count turns across the step's attempts and iterations (a child run's
/// turn `n` is the step's turn `offset + n`), so a scripted model runs on through them rather than starting
/// over with every attempt, and a resumed attempt gets the answers an uninterrupted one got.
struct TurnOffsetModel: Model {
    let base: any Model
    let offset: Int

    init(_ base: any Model, offset: Int) {
        self.base = base
        self.offset = offset
    }

    var info: ModelInfo { base.info }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        base.stream(shifted(request))
    }

    func respond(to request: ModelRequest) async throws -> ModelResponse {
        try await base.respond(to: shifted(request))
    }

    private func shifted(_ request: ModelRequest) -> ModelRequest {
        guard offset > 0 else { return request }
        var shifted = request
        shifted.turn = (request.turn ?? request.messages.count { $0.role == .assistant } + 1) + offset
        return shifted
    }
}
