import Hummingbird
import Logging

/// Servers stopped by cancelling their task log the cancellation as an error; tests do not need it.
let quietLogger: Logger = {
    var logger = Logger(label: "test-server")
    logger.logLevel = .critical
    return logger
}()

/// Runs `application` on loopback for the duration of `body`, passing it the bound port.
func withLiveServer<App: ApplicationProtocol, R: Sendable>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: @escaping @Sendable (Int) async throws -> R
) async throws -> R {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let application = makeApplication { port in continuation.yield(port) }
    return try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask {
            try await application.run()
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let result = try await body(port)
        group.cancelAll()
        return result
    }
}

/// A stand-in upstream: answers POST `path` with `body` as Server-Sent Events, in three network chunks.
func standInUpstream(
    path: String, sse body: String
) -> (@escaping @Sendable (Int) async -> Void) -> Application<RouterResponder<BasicRequestContext>> {
    { onRunning in
        let router = Router()
        router.post(RouterPath(path)) { _, _ -> Response in
            let bytes = Array(body.utf8)
            let third = bytes.count / 3
            let parts = [bytes[..<third], bytes[third..<(2 * third)], bytes[(2 * third)...]].map { ByteBuffer(bytes: $0) }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody(contentsOf: parts))
        }
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: quietLogger)
    }
}
