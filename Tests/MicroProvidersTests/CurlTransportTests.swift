import Dispatch
import Foundation
import MicroProviders
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct CurlTransportTests {
    let transport = CurlTransport()

    /// Echoes the method, target, one request header and the body back.
    static func echo(_ request: LoopbackHTTPServer.Request, _ connection: LoopbackHTTPServer.Connection) {
        connection.writeHead(headers: [
            ("Content-Length", "\(request.body.count)"), ("X-Method", request.method), ("X-Target", request.target),
            ("X-Echo", request.header("X-Test") ?? "-"),
            ("X-Content-Type", request.header("Content-Type") ?? "-"),
        ])
        connection.write(request.body)
    }

    @Test func getAndPostRoundTrip() async throws {
        let server = try LoopbackHTTPServer(respond: Self.echo)
        defer { server.stop() }

        let get = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/a?b=c", headers: [("X-Test", "one")]))
        #expect(get.status == 200)
        #expect(get.header("x-method") == "GET")
        #expect(get.header("X-Target") == "/a?b=c")
        #expect(get.header("X-Echo") == "one")
        #expect(try await get.collectBody().isEmpty)

        let payload = Array("{\"hello\":\"wörld\"}".utf8) + [0, 255]
        let post = try await transport.send(
            HTTPRequest(url: "http://127.0.0.1:\(server.port)/post", headers: [("X-Test", "two"), ("Content-Type", "application/json")], body: payload))
        #expect(post.status == 200)
        #expect(post.header("X-Method") == "POST")
        #expect(post.header("X-Echo") == "two")
        #expect(post.header("X-Content-Type") == "application/json")
        #expect(try await post.collectBody() == payload)

        let put = try await transport.send(HTTPRequest(method: "PUT", url: "http://127.0.0.1:\(server.port)/put", body: [1, 2, 3]))
        #expect(put.header("X-Method") == "PUT")
        #expect(put.header("X-Content-Type") == "-")
        #expect(try await put.collectBody() == [1, 2, 3])
        // Sequential requests share one kept-alive connection.
        #expect(server.connectionCount == 1)
    }

    @Test func keepsTheLastHeaderBlockAfter100Continue() async throws {
        let server = try LoopbackHTTPServer { _, connection in
            connection.write("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n")
            connection.writeHead(status: 201, headers: [("Content-Length", "2"), ("X-Final", "yes")])
            connection.write("ok")
        }
        defer { server.stop() }
        let response = try await transport.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/", body: [1]))
        #expect(response.status == 201)
        #expect(response.header("X-Final") == "yes")
        #expect(response.header("X-Interim") == nil)
        #expect(try await response.collectBody() == Array("ok".utf8))
    }

    @Test func streamsChunksAsTheyArrive() async throws {
        let firstReceived = DispatchSemaphore(value: 0)
        let sawFirstBeforeLast = Mutex(false)
        let server = try LoopbackHTTPServer { _, connection in
            connection.writeHead(headers: [("Transfer-Encoding", "chunked"), ("Content-Type", "text/event-stream")])
            connection.writeChunk(Array("data: one\n\n".utf8))
            // The last chunk goes out only once the client has the first one (or after 2 s, failing the test).
            let inTime = firstReceived.wait(timeout: .now() + 2) == .success
            sawFirstBeforeLast.withLock { $0 = inTime }
            connection.writeChunk(Array("data: two\n\n".utf8))
            connection.endChunks()
        }
        defer { server.stop() }

        let response = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/stream"))
        #expect(response.status == 200)
        var received: [UInt8] = []
        for try await chunk in response.body {
            if received.isEmpty {
                #expect(chunk == Array("data: one\n\n".utf8))
                firstReceived.signal()
            }
            received += chunk
        }
        #expect(String(decoding: received, as: UTF8.self) == "data: one\n\ndata: two\n\n")
        #expect(sawFirstBeforeLast.withLock { $0 })
    }

    @Test func carries64ConcurrentStreams() async throws {
        let server = try LoopbackHTTPServer { request, connection in
            connection.writeHead(headers: [("Transfer-Encoding", "chunked")])
            for index in 0..<3 {
                Thread.sleep(forTimeInterval: 0.01)
                connection.writeChunk(Array("\(request.target)#\(index);".utf8))
            }
            connection.endChunks()
        }
        defer { server.stop() }

        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<64 {
                group.addTask {
                    let response = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/\(index)"))
                    return (index, String(decoding: try await response.collectBody(), as: UTF8.self))
                }
            }
            var bodies: [Int: String] = [:]
            for try await (index, body) in group { bodies[index] = body }
            return bodies
        }
        #expect(bodies.count == 64)
        for (index, body) in bodies { #expect(body == "/\(index)#0;/\(index)#1;/\(index)#2;") }
    }

    @Test func slowConsumerGetsEveryByte() async throws {
        let size = 1 << 20
        let pattern = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
        let server = try LoopbackHTTPServer { _, connection in
            connection.writeHead(headers: [("Content-Length", "\(size)")])
            connection.write(pattern)
        }
        defer { server.stop() }

        let small = CurlTransport(configuration: .init(bufferedChunks: 4))
        let response = try await small.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/big"))
        // Let the buffer fill and the transfer pause before reading anything.
        try await Task.sleep(for: .milliseconds(50))
        var received: [UInt8] = []
        received.reserveCapacity(size)
        for try await chunk in response.body { received += chunk }
        #expect(received.count == size)
        #expect(received == pattern)
    }

    @Test func serverClosingMidBodyInterruptsTheStream() async throws {
        let server = try LoopbackHTTPServer { _, connection in
            connection.writeHead(headers: [("Transfer-Encoding", "chunked")])
            connection.writeChunk(Array("partial".utf8))
            connection.close()
        }
        defer { server.stop() }

        let response = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
        var received: [UInt8] = []
        let error = await #expect(throws: HTTPError.self) {
            for try await chunk in response.body { received += chunk }
        }
        #expect(error?.code == .interrupted)
        #expect(received == Array("partial".utf8))
    }

    @Test func refusedConnectionFails() async throws {
        let port = LoopbackHTTPServer.closedPort()
        let error = await #expect(throws: HTTPError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))
        }
        #expect(error?.code == .connectionFailed)
    }

    @Test(arguments: [
        HTTPRequest(method: "GET", url: "nope://x/"),
        HTTPRequest(method: "GET", url: "file:///etc/hostname"),
        HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [("Bad\r\nName", "v")]),
        HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [("X-Split", "a\r\nInjected: 1")]),
    ])
    func invalidRequestsFailBeforeSending(request: HTTPRequest) async throws {
        let error = await #expect(throws: HTTPError.self) { _ = try await transport.send(request) }
        #expect(error?.code == .invalidRequest)
    }

    @Test func totalTimeoutBeforeTheHeadThrows() async throws {
        let release = DispatchSemaphore(value: 0)
        // The server would answer after 30 s: ending well before that proves the 200 ms limit cut the call
        // (a generous bound, so a loaded machine cannot fail it; how fast is a benchmark's question).
        let server = try LoopbackHTTPServer { _, _ in _ = release.wait(timeout: .now() + 30) }
        defer {
            release.signal()
            server.stop()
        }
        let start = ContinuousClock.now
        let error = await #expect(throws: HTTPError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/", timeout: .milliseconds(200)))
        }
        #expect(error?.code == .timedOut)
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test func totalTimeoutMidBodyEndsTheStream() async throws {
        let release = DispatchSemaphore(value: 0)
        let server = try LoopbackHTTPServer { _, connection in
            connection.writeHead(headers: [("Transfer-Encoding", "chunked")])
            connection.writeChunk([1])
            _ = release.wait(timeout: .now() + 2)
        }
        defer {
            release.signal()
            server.stop()
        }
        let response = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/", timeout: .milliseconds(200)))
        let error = await #expect(throws: HTTPError.self) {
            for try await _ in response.body {}
        }
        #expect(error?.code == .timedOut)
    }

    @Test func droppingTheBodyClosesTheConnection() async throws {
        let closed = Latch()
        let peerClosed = Mutex(false)
        let server = try LoopbackHTTPServer { _, connection in
            connection.writeHead(headers: [("Transfer-Encoding", "chunked")])
            connection.writeChunk(Array("first".utf8))
            let sawClose = connection.waitForPeerClose(timeout: 20)
            peerClosed.withLock { $0 = sawClose }
            connection.close()
            closed.signal()
        }
        defer { server.stop() }

        do {
            let response = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
            for try await chunk in response.body {
                #expect(chunk == Array("first".utf8))
                break
            }
        }  // the last reference to the body stream goes here, which ends it
        await closed.wait()
        #expect(peerClosed.withLock { $0 })
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        let closed = Latch()
        let firstSent = Latch()
        let peerClosed = Mutex(false)
        let server = try LoopbackHTTPServer { _, connection in
            connection.writeHead(headers: [("Transfer-Encoding", "chunked")])
            connection.writeChunk(Array("first".utf8))
            firstSent.signal()
            let sawClose = connection.waitForPeerClose(timeout: 20)
            peerClosed.withLock { $0 = sawClose }
            connection.close()
            closed.signal()
        }
        defer { server.stop() }

        let transport = transport
        let url = "http://127.0.0.1:\(server.port)/"
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let response = try await transport.send(HTTPRequest(method: "GET", url: url))
                for try await _ in response.body {}
            }
            await firstSent.wait()
            group.cancelAll()
            while let next = await group.nextResult() { _ = next }
        }
        await closed.wait()
        #expect(peerClosed.withLock { $0 })
    }

    @Test func cancellingSendBeforeTheHeadThrowsCancelled() async throws {
        let arrived = Latch()
        let release = DispatchSemaphore(value: 0)
        let server = try LoopbackHTTPServer { _, _ in
            arrived.signal()
            _ = release.wait(timeout: .now() + 2)
        }
        defer {
            release.signal()
            server.stop()
        }
        let transport = transport
        let url = "http://127.0.0.1:\(server.port)/"
        let outcome = await withTaskGroup(of: Result<Int, any Error>.self) { group in
            group.addTask {
                do { return .success(try await transport.send(HTTPRequest(method: "GET", url: url)).status) } catch { return .failure(error) }
            }
            await arrived.wait()
            group.cancelAll()
            return await group.next()!
        }
        #expect(throws: HTTPError(.cancelled, "the request was cancelled")) { try outcome.get() }
    }

    @Test func shutdownFailsLaterRequests() async throws {
        let transport = CurlTransport()
        transport.shutdown()
        transport.shutdown()
        let error = await #expect(throws: HTTPError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/"))
        }
        #expect(error?.code == .cancelled)
    }
}
