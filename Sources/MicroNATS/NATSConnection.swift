import NIOCore
import NIOPosix

/// One TCP connection to a server after a successful handshake: the channel to write to and the frames read.
struct NATSConnection: Sendable {
    let channel: any Channel
    let frames: AsyncThrowingStream<NATSFrame, any Error>
    let info: NATSServerInfo

    /// Writes `bytes`. Writes go through the channel's event loop in call order, from any thread.
    func send(_ bytes: [UInt8]) {
        let channel = channel
        channel.eventLoop.execute {
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
        }
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Connects to the configured server and completes the handshake: INFO in, CONNECT and PING out,
    /// PONG in. Throws a ``NATSError`` naming the URL: unreachable, timed out, refused credentials
    /// (`-ERR`), or a server without header support.
    static func open(_ configuration: NATSConfiguration, group: any EventLoopGroup) async throws(NATSError) -> NATSConnection {
        let url = configuration.url
        let where_ = url.description
        let (frames, continuation) = AsyncThrowingStream.makeStream(of: NATSFrame.self, throwing: (any Error).self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout.timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NATSChannelHandler(frames: continuation, url: where_))
                    }
                }
                .connect(host: url.host, port: url.port).get()
        } catch {
            continuation.finish()
            throw NATSError(.unavailable, "cannot connect to \(where_): \(error)", url: where_, underlying: error)
        }
        let timeout = channel.eventLoop.scheduleTask(in: configuration.connectTimeout.timeAmount) {
            continuation.finish(throwing: NATSError(
                .timeout, "no handshake within \(configuration.connectTimeout)", url: where_))
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        let connection: NATSConnection
        do {
            connection = try await handshake(channel: channel, frames: frames, configuration: configuration)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return connection
    }

    private static func handshake(
        channel: any Channel, frames: AsyncThrowingStream<NATSFrame, any Error>, configuration: NATSConfiguration
    ) async throws(NATSError) -> NATSConnection {
        let url = configuration.url.description
        var iterator = frames.makeAsyncIterator()
        func next() async throws(NATSError) -> NATSFrame {
            do {
                guard let frame = try await iterator.next() else {
                    throw NATSError(.unavailable, "connection ended during the handshake", url: url)
                }
                return frame
            } catch let error as NATSError {
                throw error
            } catch {
                throw NATSError(.unavailable, "handshake failed", url: url, underlying: error)
            }
        }
        guard case .info(let info) = try await next() else {
            throw NATSError(.protocolError, "the server did not start with INFO", url: url)
        }
        guard info.proto >= 1, info.headers else {
            throw NATSError(.versionMismatch,
                            "server \(info.version.isEmpty ? "(unknown version)" : info.version) lacks message headers (needs nats-server 2.2 or later)",
                            url: url)
        }
        if info.tlsRequired {
            throw NATSError(.versionMismatch, "the server requires TLS, which this client does not speak", url: url)
        }
        let connection = NATSConnection(channel: channel, frames: frames, info: info)
        connection.send(NATSCommand.connect(configuration.url, name: configuration.name) + NATSCommand.ping)
        while true {
            switch try await next() {
            case .pong: return connection
            case .error(let text): throw NATSError(serverError: text, url: url)
            case .ping: connection.send(NATSCommand.pong)
            case .ok, .info, .message: continue
            }
        }
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
