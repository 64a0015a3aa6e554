import HTTPTypes
import Hummingbird
import Logging
import Micro
import MicroProviders
import NIOCore

/// Serves recorded provider interactions over HTTP on loopback, in each provider's own wire format, so that
/// clients in any language (the official SDKs) can run against our recordings. Given a recording transport
/// and an upstream, it is a recording proxy instead.
///
/// Every request is handed to ``transport`` with its URL rebuilt on ``upstream`` (or on the server's own
/// address): a ``CassetteTransport`` answers from the cassette, a ``RecordingTransport`` over a live transport
/// forwards and records. A request the cassette has no answer for gets HTTP 404 with a JSON body
/// `{"error": {"type": "cassette_miss", "message": …}}` naming the nearest recorded request and the first
/// difference.
public struct ReplayServer: Sendable {
    public var transport: any HTTPTransport
    /// Base URL that request paths are appended to before they reach ``transport`` (the live provider when
    /// recording); nil keeps `http://127.0.0.1`.
    public var upstream: String?
    public var host: String
    public var port: Int
    /// Largest request body accepted.
    public var maximumBodySize: Int
    public var logger: Logger

    public init(
        transport: any HTTPTransport, upstream: String? = nil, host: String = "127.0.0.1", port: Int = 0,
        maximumBodySize: Int = 32 << 20, logger: Logger = Logger(label: "micro-replay")
    ) {
        self.logger = logger
        self.transport = transport
        self.upstream = upstream
        self.host = host
        self.port = port
        self.maximumBodySize = maximumBodySize
    }

    /// The Hummingbird application; `onRunning` gets the bound port once the server listens.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            responder: Responder(server: self),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "micro-replay"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let server: ReplayServer

        func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: server.maximumBodySize)
            } catch {
                return Self.error(.contentTooLarge, "request_too_large", "the request body passed \(server.maximumBodySize) bytes")
            }
            let base = (server.upstream ?? "http://127.0.0.1").trimmingSuffix("/")
            var headers: [(name: String, value: String)] = []
            for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
                headers.append((field.name.rawName, field.value))
            }
            let outgoing = MicroProviders.HTTPRequest(
                method: request.method.rawValue, url: base + request.uri.description, headers: headers,
                body: Array(buffer: body))
            let response: MicroProviders.HTTPResponse
            do {
                response = try await server.transport.send(outgoing)
            } catch let error as CassetteError {
                return Self.error(.notFound, "cassette_miss", error.description)
            } catch {
                return Self.error(.badGateway, "upstream_failed", "\(error)")
            }
            var fields = HTTPFields()
            for header in response.headers {
                guard let name = HTTPField.Name(header.name), !Self.hopByHop.contains(name.canonicalName) else { continue }
                fields.append(HTTPField(name: name, value: header.value))
            }
            let chunks = response.body
            return Response(
                status: HTTPResponse.Status(code: response.status), headers: fields,
                body: ResponseBody { writer in
                    for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                })
        }

        /// Headers that describe one connection or one encoding of the body, recomputed by the server.
        static let hopByHop: Set<String> = [
            "connection", "content-length", "transfer-encoding", "keep-alive", "host", "accept-encoding",
            "content-encoding",
        ]

        static func error(_ status: HTTPResponse.Status, _ type: String, _ message: String) -> Response {
            let json: JSONValue = ["error": ["type": .string(type), "message": .string(message)]]
            return Response(
                status: status, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.canonicalBytes())))
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
