import Hummingbird
import Logging
import MicroReplay

/// Servers in tests only report critical problems.
let quietLogger = Logger.quiet("test-server")

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
