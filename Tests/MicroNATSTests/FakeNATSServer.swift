import NIOCore
import NIOPosix

/// A scripted stand-in for nats-server on a loopback port: sends `info` on each connection, then
/// answers each received line with the lines `respond` returns (`"<close>"` closes the connection).
enum FakeNATSServer {
    static func with<R>(
        info: String, respond: @escaping @Sendable (String) -> [String] = { _ in [] },
        _ body: (_ url: String) async throws -> R
    ) async throws -> R {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(info: info, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body("nats://127.0.0.1:\(channel.localAddress?.port ?? 0)")
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let info: String
        let respond: @Sendable (String) -> [String]
        var pending: [UInt8] = []

        init(info: String, respond: @escaping @Sendable (String) -> [String]) {
            self.info = info
            self.respond = respond
        }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: info + "\r\n")), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += Array(unwrapInboundIn(data).readableBytesView)
            while let end = pending.firstRange(of: [13, 10]) {
                let line = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                for reply in respond(line) {
                    if reply == "<close>" {
                        context.close(promise: nil)
                        return
                    }
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply + "\r\n")), promise: nil)
                }
            }
        }
    }
}
