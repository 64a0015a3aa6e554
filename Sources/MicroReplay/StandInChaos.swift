import Foundation
import HTTPTypes
import Hummingbird
import Micro
import NIOCore
import Synchronization

/// Seeded chaos for the stand-in, so that it is a misbehaving upstream for any client: rate limits with
/// `retry-after`, 5xx errors, streams cut before their end, stalled or carrying a chunk that is not JSON, and
/// context-window rejections, each at its own rate. Draws come from one seeded generator in request order.
/// A request (by its body) meets at most ``maxFaultsPerRequest`` faults, so a client that retries gets through.
public struct StandInChaos: Sendable, Hashable {
    public var seed: UInt64
    /// HTTP 429 with `retry-after` and the provider's error body.
    public var rateLimit: Double
    /// HTTP 503 with `retry-after`.
    public var serverError: Double
    /// A streamed body that ends halfway, before its terminal event.
    public var cut: Double
    /// A streamed body that stops for ``stall`` halfway, then goes on.
    public var stalled: Double
    /// A streamed body with a chunk that is not JSON halfway.
    public var malformed: Double
    /// HTTP 400 saying the request is too long for the context window (not worth retrying).
    public var contextWindow: Double
    /// What `retry-after` advertises.
    public var retryAfter: Duration
    public var stall: Duration
    public var maxFaultsPerRequest: Int

    public init(
        seed: UInt64 = 1, rateLimit: Double = 0, serverError: Double = 0, cut: Double = 0, stalled: Double = 0,
        malformed: Double = 0, contextWindow: Double = 0, retryAfter: Duration = .seconds(1), stall: Duration = .seconds(1),
        maxFaultsPerRequest: Int = 1
    ) {
        self.seed = seed
        self.rateLimit = rateLimit
        self.serverError = serverError
        self.cut = cut
        self.stalled = stalled
        self.malformed = malformed
        self.contextWindow = contextWindow
        self.retryAfter = retryAfter
        self.stall = stall
        self.maxFaultsPerRequest = maxFaultsPerRequest
    }

    /// What happens to one request.
    public enum Fault: String, Sendable, Hashable, Codable {
        case rateLimit = "rate_limit", serverError = "server_error", cut, stalled, malformed
        case contextWindow = "context_window"

        /// Whether the client should send the request again (and so is judged on how it does).
        var invitesRetry: Bool { self != .contextWindow && self != .stalled }
        /// Whether the fault answers with an error status before any body.
        var isStatus: Bool { self == .rateLimit || self == .serverError || self == .contextWindow }
    }

    /// The fault for the next request, drawing from `random`.
    func draw(_ random: RandomSource) -> Fault? {
        let roll = random.nextUnit()
        var edge = 0.0
        for (rate, fault) in [
            (rateLimit, Fault.rateLimit), (serverError, .serverError), (cut, .cut), (stalled, .stalled), (malformed, .malformed),
            (contextWindow, .contextWindow),
        ] {
            edge += rate
            if roll < edge { return fault }
        }
        return nil
    }
}

/// Judges how clients retry the stand-in's faults: a request whose body was answered with a fault and comes
/// again is a retry; it waited long enough if at least the advertised `retry-after` passed (real time). A
/// fault never followed by the same request is a client that gave up.
public final class RetryJudge: Sendable {
    /// One retry of a faulted request.
    public struct Retry: Sendable, Hashable, Codable {
        public var fault: StandInChaos.Fault
        public var advertisedMs: Int?
        public var waitedMs: Int
        /// Waited at least the advertised time (always true when nothing was advertised).
        public var ok: Bool
    }

    private struct Pending {
        var fault: StandInChaos.Fault
        var at: ContinuousClock.Instant
        var advertised: Duration?
    }

    private struct State {
        var requests = 0
        var faults: [StandInChaos.Fault: Int] = [:]
        var faultsByRequest: [String: Int] = [:]
        var pending: [String: Pending] = [:]
        var retries: [Retry] = []
    }

    private let state = Mutex(State())
    let chaos: StandInChaos
    let random: RandomSource
    let log: @Sendable (String) -> Void

    public init(chaos: StandInChaos, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.chaos = chaos
        self.random = .seeded(chaos.seed)
        self.log = log
    }

    /// Judges the request if it retries a fault, then decides its own fault.
    func arrive(_ body: [UInt8]) -> StandInChaos.Fault? {
        let key = Digest.fnv1a64(body)
        let now = ContinuousClock.now
        let (retry, fault): (Retry?, StandInChaos.Fault?) = state.withLock { state in
            state.requests += 1
            var retry: Retry?
            if let pending = state.pending.removeValue(forKey: key) {
                let waited = pending.at.duration(to: now)
                // 50 ms of slack for the clocks and the network stack on loopback.
                let ok = pending.advertised.map { waited >= $0 - .milliseconds(50) } ?? true
                retry = Retry(
                    fault: pending.fault, advertisedMs: pending.advertised.map { Int($0.milliseconds) }, waitedMs: Int(waited.milliseconds),
                    ok: ok)
                state.retries.append(retry!)
            }
            guard state.faultsByRequest[key, default: 0] < chaos.maxFaultsPerRequest, let fault = chaos.draw(random) else {
                return (retry, nil)
            }
            state.faultsByRequest[key, default: 0] += 1
            state.faults[fault, default: 0] += 1
            if fault.invitesRetry {
                state.pending[key] = Pending(fault: fault, at: now, advertised: fault.isStatus ? chaos.retryAfter : nil)
            }
            return (retry, fault)
        }
        if let retry {
            let advertised = retry.advertisedMs.map { "\($0) ms advertised" } ?? "nothing advertised"
            log("retry after \(retry.fault.rawValue): waited \(retry.waitedMs) ms, \(advertised): \(retry.ok ? "ok" : "retry_after_ignored")")
        }
        if let fault { log("fault: \(fault.rawValue)") }
        return fault
    }

    /// The judgement so far: requests, faults by kind, every retry, how many ignored `retry-after`, and how
    /// many faults the client never retried.
    public var report: JSONValue {
        state.withLock { state in
            let ignored = state.retries.count { !$0.ok }
            return [
                "requests": .integer(state.requests),
                "faults": .object(Dictionary(uniqueKeysWithValues: state.faults.map { ($0.key.rawValue, JSONValue.integer($0.value)) })),
                "retries": .array(state.retries.map { retry in
                    [
                        "fault": .string(retry.fault.rawValue), "advertisedMs": retry.advertisedMs.map(JSONValue.integer) ?? .null,
                        "waitedMs": .integer(retry.waitedMs), "ok": .bool(retry.ok),
                    ]
                }),
                "retryAfterIgnored": .integer(ignored),
                "gaveUp": .integer(state.pending.count),
            ]
        }
    }

}

extension StandInServer.Responder {
    /// The answer `text` (of `contentType`) with `fault` applied to it.
    static func applying(
        _ fault: StandInChaos.Fault, text: String, contentType: String, provider: StandInServer.Provider, chaos: StandInChaos
    ) -> Response {
        let retryAfter = "\(max(1, Int((Double(chaos.retryAfter.milliseconds) / 1000).rounded(.up))))"
        switch fault {
        case .rateLimit:
            return rateLimited(provider, retryAfter: retryAfter)
        case .serverError:
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("retry-after")!] = retryAfter
            let body = provider == .ollama
                ? #"{"error":"server busy, try again"}"#
                : #"{"error":{"type":"overloaded_error","message":"The server is temporarily unavailable (stand-in chaos)."}}"#
            return Response(status: .serviceUnavailable, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        case .contextWindow:
            let body = provider == .ollama
                ? #"{"error":"the input is too long for the model's context window"}"#
                : #"{"error":{"type":"invalid_request_error","code":"context_length_exceeded","message":"prompt is too long: the request exceeds the model's context window (stand-in chaos)"}}"#
            return Response(status: .badRequest, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        case .cut, .stalled, .malformed:
            let whole = Array(text.utf8)
            let half = Array(whole.prefix(whole.count / 2))
            let rest = Array(whole.dropFirst(whole.count / 2))
            let body: ResponseBody
            switch fault {
            case .cut:
                body = ResponseBody(byteBuffer: ByteBuffer(bytes: half))
            case .malformed:
                let garbage = provider == .ollama ? "\n{\"message\": {broken\n" : "\n\ndata: {\"type\": broken\n\n"
                body = ResponseBody(byteBuffer: ByteBuffer(bytes: half + Array(garbage.utf8)))
            default:
                let stall = chaos.stall
                body = ResponseBody { writer in
                    try await writer.write(ByteBuffer(bytes: half))
                    try await Task.sleep(for: stall)
                    try await writer.write(ByteBuffer(bytes: rest))
                    try await writer.finish(nil)
                }
            }
            return Response(status: .ok, headers: [.contentType: contentType], body: body)
        }
    }
}
