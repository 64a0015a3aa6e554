import NIOCore

/// Turns the bytes of one connection into frames on a stream; any parse error or the end of the
/// connection finishes the stream with a ``NATSError`` naming the server.
final class NATSChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var parser = NATSFrameParser()
    private let frames: AsyncThrowingStream<NATSFrame, any Error>.Continuation
    private let url: String

    init(frames: AsyncThrowingStream<NATSFrame, any Error>.Continuation, url: String) {
        self.frames = frames
        self.url = url
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        parser.append(buffer.readableBytesView)
        do {
            while let frame = try parser.next() { frames.yield(frame) }
        } catch {
            var error = error
            error.url = url
            frames.finish(throwing: error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        frames.finish(throwing: NATSError(.unavailable, "the server closed the connection", url: url))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        frames.finish(throwing: NATSError(.unavailable, "connection failed", url: url, underlying: error))
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension NATSChannelHandler: Sendable {}
