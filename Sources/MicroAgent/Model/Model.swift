import Foundation
import Micro

/// A language model behind one seam: provider adapters, recorded cassettes and scripted turns all conform.
///
/// Contract: `stream` yields ``ModelEvent``s for one answer and ends with exactly one ``ModelEvent/finish(_:)``
/// (a stream that ends without it is a truncation, reported by ``respond(to:)`` as
/// ``ModelError/Code/truncated``). Tool calls are announced with `toolCallStart` before their argument deltas.
/// Errors are thrown through the stream, preferably as ``ModelError``.
public protocol Model: Sendable {
    /// Facts about the model, such as its context window.
    var info: ModelInfo { get }

    /// Streams the answer to `request`.
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error>

    /// The whole answer to `request`: the events of ``stream(_:)`` folded by a ``ModelEventFolder``. The default
    /// does exactly that; a model may fold the same events without handing each one through the stream.
    func respond(to request: ModelRequest) async throws -> ModelResponse
}

/// What the runtime needs to know about a model.
public struct ModelInfo: Sendable, Hashable, Codable {
    /// The provider (`anthropic`, `openai`, `scripted`, …).
    public var provider: String
    /// The model identifier at the provider.
    public var name: String
    /// The most tokens one request (input plus requested output) may hold.
    public var contextWindow: Int

    public init(provider: String, name: String, contextWindow: Int) {
        self.provider = provider
        self.name = name
        self.contextWindow = contextWindow
    }
}

extension Model {
    /// Streams `request` and folds the events into a complete response.
    public func respond(to request: ModelRequest) async throws -> ModelResponse {
        var folder = ModelEventFolder()
        for try await event in stream(request) { try folder.apply(event) }
        return try folder.response()
    }
}

/// Folds a stream of ``ModelEvent``s into a ``ModelResponse``, checking that the stream is well formed.
public struct ModelEventFolder: Sendable {
    private var text = ""
    private var reasoning = ""
    private var reasoningParts: [ReasoningPart] = []
    private var calls: [Int: (id: String, name: String, arguments: String, signature: String?)] = [:]
    private var order: [Int] = []
    private var usage = Usage()
    private var stopReason: StopReason?
    private var stopDetails: JSONValue?

    public init() {}

    public mutating func apply(_ event: ModelEvent) throws {
        guard stopReason == nil else {
            throw ModelError(.malformedResponse, "event after finish: \(event)")
        }
        switch event {
        case .textDelta(let delta):
            text += delta
        case .reasoningDelta(let delta):
            reasoning += delta
        case .reasoningSignature(let signature):
            reasoningParts.append(ReasoningPart(text: reasoning, signature: signature))
            reasoning = ""
        case .redactedReasoning(let data):
            reasoningParts.append(ReasoningPart(text: "", redactedData: data))
        case .toolCallStart(let index, let id, let name):
            guard calls[index] == nil else {
                throw ModelError(.malformedResponse, "tool call \(index) started twice")
            }
            calls[index] = (id, name, "", nil)
            order.append(index)
        case .toolCallDelta(let index, let fragment):
            guard calls[index] != nil else {
                throw ModelError(.malformedResponse, "arguments for tool call \(index) before it started")
            }
            calls[index]!.arguments += fragment
        case .toolCallSignature(let index, let signature):
            guard calls[index] != nil else {
                throw ModelError(.malformedResponse, "signature for tool call \(index) before it started")
            }
            calls[index]!.signature = signature
        case .toolCallEnd(let index):
            guard calls[index] != nil else {
                throw ModelError(.malformedResponse, "tool call \(index) ended before it started")
            }
        case .usage(let reported):
            // Adapters report the running totals: the latest report wins, as in the providers' SDKs (a final
            // `output_tokens: 0` is 0, not the start's placeholder).
            usage = reported
        case .stopDetails(let details):
            stopDetails = details
        case .finish(let reason):
            stopReason = reason
        }
    }

    /// The folded response; throws ``ModelError/Code/truncated`` if no finish event arrived. Arguments that
    /// are not JSON are a malformed response, unless the output token limit stopped the answer: the call is
    /// then one of the response's ``ModelResponse/truncatedToolCalls``.
    public func response() throws -> ModelResponse {
        guard let stopReason else {
            throw ModelError(.truncated, "the stream ended without a finish event")
        }
        var parts: [MessagePart] = reasoningParts.map(MessagePart.reasoning)
        if !text.isEmpty { parts.append(.text(text)) }
        var truncated: [TruncatedToolCall] = []
        for index in order {
            let call = calls[index]!
            let arguments: JSONValue
            if call.arguments.trimmingCharacters(in: .whitespaces).isEmpty {
                arguments = .object([:])
            } else {
                do {
                    arguments = try JSONValue(parsing: call.arguments)
                } catch {
                    if stopReason == .maxTokens {
                        truncated.append(TruncatedToolCall(id: call.id, name: call.name, partialArguments: call.arguments))
                        continue
                    }
                    throw ModelError(
                        .malformedResponse, "arguments of tool call \(call.name) (\(call.id)) are not JSON: \(error)")
                }
            }
            parts.append(.toolCall(ToolCall(id: call.id, name: call.name, arguments: arguments, signature: call.signature)))
        }
        return ModelResponse(
            message: Message(role: .assistant, parts: parts), usage: usage, stopReason: stopReason, stopDetails: stopDetails,
            truncatedToolCalls: truncated)
    }
}
