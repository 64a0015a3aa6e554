/// Passes requests to `base` without the built-in `plan`, `delegate` and `request_input` tools, so the model
/// is offered only service and extra tools (as recordings made with `micro record` are).
public struct WithoutBuiltinTools: Model {
    public let base: any Model

    public init(_ base: any Model) { self.base = base }

    public var info: ModelInfo { base.info }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        var request = request
        request.tools.removeAll { BuiltinTool(rawValue: $0.name) != nil }
        return base.stream(request)
    }
}
