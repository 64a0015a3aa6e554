import Hummingbird
import Logging

/// Runs the application `makeApplication` builds for the duration of `body`, passing `body` the port it
/// bound, then stops it. `makeApplication` gets the callback to hand to the application's `onServerRunning`
/// (``ReplayServer/application(onRunning:)`` and ``StandInServer`` take it directly).
public func withLoopbackServer<App: ApplicationProtocol, R: Sendable>(
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

extension Logger {
    /// A logger that only reports critical problems: a server stopped by cancelling its task logs that as an
    /// error, which tests and scoped servers do not need.
    public static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}
