import Hummingbird
import Logging
import MicroReplay
import Synchronization

/// A loopback OTLP/HTTP receiver for tests: captures every `POST /v1/traces` (headers and body) and answers
/// with the scripted statuses in turn (then 200 with an empty `ExportTraceServiceResponse`).
final class OTLPReceiver: Sendable {
    struct Capture: Sendable {
        var contentType: String?
        var headers: [String: String]
        var body: [UInt8]
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var body: String = "{}"
        var retryAfter: String?
    }

    private let state: Mutex<(captures: [Capture], answers: [Answer])>

    init(answers: [Answer] = []) {
        state = Mutex(([], answers))
    }

    var captures: [Capture] { state.withLock { $0.captures } }

    func application(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/traces") { [self] request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = state.withLock { state -> Answer in
                state.captures.append(Capture(contentType: request.headers[.contentType], headers: headers, body: Array(buffer: body)))
                return state.answers.isEmpty ? Answer(status: .ok) : state.answers.removeFirst()
            }
            var fields: HTTPFields = [.contentType: "application/json"]
            if let retryAfter = answer.retryAfter { fields[.retryAfter] = retryAfter }
            return Response(status: answer.status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
        }
        var logger = Logger(label: "otlp-receiver")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    /// Runs the receiver for the duration of `body`, which gets its `/v1/traces` URL.
    func serve<R: Sendable>(_ body: @escaping @Sendable (String) async throws -> R) async throws -> R {
        try await withLoopbackServer({ self.application(onRunning: $0) }) { port in
            try await body("http://127.0.0.1:\(port)/v1/traces")
        }
    }
}
