import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for transport tests: one thread per connection, keep-alive,
/// each request answered by the test's `respond` script.
final class LoopbackHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    let port: Int
    private let listener: Int32
    private let accepted = Mutex(0)

    /// Connections accepted so far.
    var connectionCount: Int { accepted.withLock { $0 } }

    init(respond: @escaping @Sendable (Request, Connection) throws -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 256) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                self.accepted.withLock { $0 += 1 }
                Thread.detachNewThread {
                    let connection = Connection(fd: client)
                    while let request = connection.readRequest() {
                        do { try respond(request, connection) } catch { break }
                        if connection.isClosed { break }
                    }
                    connection.close()
                }
            }
        }
    }

    /// Stops accepting connections (connections in progress finish on their own).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// A port on 127.0.0.1 with nothing listening.
    static func closedPort() -> Int {
        let server = try? LoopbackHTTPServer { _, _ in }
        server?.stop()
        return server?.port ?? 1
    }

    /// One accepted connection, used by its own thread only.
    final class Connection {
        let fd: Int32
        private(set) var isClosed = false
        private var buffer: [UInt8] = []

        init(fd: Int32) { self.fd = fd }

        /// Reads the next request (head and Content-Length body); nil when the peer closed.
        func readRequest() -> Request? {
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            var end: Int?
            while end == nil {
                if let range = buffer.firstRange(of: separator) { end = range.upperBound } else if !fill() { return nil }
            }
            let head = String(decoding: buffer[..<end!], as: UTF8.self)
            buffer.removeFirst(end!)
            var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            let requestLine = lines.removeFirst().split(separator: " ")
            let headers = lines.map { line -> (name: String, value: String) in
                let colon = line.firstIndex(of: ":")!
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            var request = Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: [])
            let length = Int(request.header("Content-Length") ?? "0") ?? 0
            while buffer.count < length { if !fill() { return nil } }
            request.body = Array(buffer[..<length])
            buffer.removeFirst(length)
            return request
        }

        private func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 16384)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }

        /// Writes raw bytes; false if the peer is gone.
        @discardableResult
        func write(_ bytes: [UInt8]) -> Bool {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }

        @discardableResult
        func write(_ text: String) -> Bool { write(Array(text.utf8)) }

        /// Sends a status line and headers.
        func writeHead(status: Int = 200, headers: [(String, String)]) {
            var head = "HTTP/1.1 \(status) Status\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            write(head + "\r\n")
        }

        /// Sends one chunk of a `Transfer-Encoding: chunked` body; false if the peer is gone.
        @discardableResult
        func writeChunk(_ bytes: [UInt8]) -> Bool {
            write(String(bytes.count, radix: 16) + "\r\n") && write(bytes) && write("\r\n")
        }

        func endChunks() { write("0\r\n\r\n") }

        /// Waits up to `timeout` seconds for the peer to close the connection.
        func waitForPeerClose(timeout: Int) -> Bool {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout) * 1_000_000_000
            while DispatchTime.now().uptimeNanoseconds < deadline {
                guard poll(&entry, 1, 50) >= 0 else { return true }
                if entry.revents != 0 {
                    var byte: UInt8 = 0
                    if recv(fd, &byte, 1, 0) <= 0 { return true }
                }
            }
            return false
        }

        func close() {
            guard !isClosed else { return }
            isClosed = true
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
        }
    }
}

/// A one-shot signal that async tests await and server threads fire.
final class Latch: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func signal() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state in
                if !state.fired { state.waiters.append(continuation) }
                return state.fired
            }
            if fired { continuation.resume() }
        }
    }
}
