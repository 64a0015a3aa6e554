import Foundation
import Hummingbird
import Logging
import Micro
import MicroReplay
import Synchronization
import Testing

/// The bodies a test receiver got.
final class Received: Sendable {
    private let bodies = Mutex<[JSONValue]>([])
    var all: [JSONValue] { bodies.withLock { $0 } }
    func append(_ body: JSONValue) { bodies.withLock { $0.append(body) } }
}

/// `micro test --otlp-endpoint` and `micro export-otel` against a loopback OTLP/HTTP receiver.
@Suite struct OTelCommandTests {
    static let scenarios = HarnessCommandTests.scenarios

    @Test func testExportsEachScenarioAsATraceAfterItsReports() async throws {
        let bodies = Received()
        let (code, out, err) = try await withReceiver(bodies) { url in
            await runMicro(["test", Self.scenarios, "--filter", "single-agent", "--jobs", "1", "--otlp-endpoint", url])
        }
        #expect(code == 0)
        #expect(err.contains("exported 1 trace(s) to http://127.0.0.1:"))
        #expect(out.contains("1 passed, 0 failed"))
        let received = bodies.all
        #expect(received.count == 1)
        let spans = try #require(received.first?["resourceSpans"]?[0]?["scopeSpans"]?[0]?["spans"]?.arrayValue)
        let names = spans.compactMap { $0["name"]?.stringValue }
        #expect(names.contains("invoke_workflow a single agent searches and books a flight"))
        #expect(names.contains { $0.hasPrefix("invoke_agent ") })
        #expect(names.contains { $0.hasPrefix("chat ") })
        #expect(names.contains { $0.hasPrefix("execute_tool ") })
        let root = try #require(spans.first { $0["parentSpanId"] == nil })
        #expect(root["events"]?.arrayValue?.contains { $0["name"] == "micro.check" } == true)
    }

    @Test func anUnreachableReceiverFailsTheCommandButLosesNoReport() async throws {
        let refusing = try Self.refusingPort()
        defer { close(refusing.socket) }
        let port = refusing.port
        let junit = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: junit) }
        let (code, out, err) = await runMicro([
            "test", Self.scenarios, "--filter", "single-agent", "--jobs", "1", "--junit", junit,
            "--otlp-endpoint", "http://127.0.0.1:\(port)", "--otlp-attempts", "1",
        ])
        #expect(code == 1)
        #expect(out.contains("1 passed, 0 failed"))
        #expect(FileManager.default.fileExists(atPath: junit))
        #expect(err.contains("OTLP export to http://127.0.0.1:\(port)/v1/traces failed (unreachable) after 1 attempt"))
    }

    @Test func aBadEndpointIsRejectedBeforeAnythingRuns() async {
        let (code, _, err) = await runMicro(["test", Self.scenarios, "--filter", "single-agent", "--otlp-endpoint", "collector:4318"])
        #expect(code == 64)
        #expect(err.contains("--otlp-endpoint: collector:4318 is not an http:// or https:// URL with a host"))
    }

    @Test func exportOTelSendsSavedRecordsOrWritesThem() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (saved, _, _) = await runMicro([
            "test", Self.scenarios, "--filter", "travel-delegation", "--jobs", "1", "--save-records", folder.path,
        ])
        #expect(saved == 0)
        let record = folder.appendingPathComponent("travel-delegation-tree.record.json").path
        let out = folder.appendingPathComponent("otlp.jsonl").path
        let (written, _, _) = await runMicro(["export-otel", record, "--out", out])
        #expect(written == 0)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let file = try JSONValue(parsing: String(lines[0]))
        let bodies = Received()
        let (code, text, _) = try await withReceiver(bodies) { url in await runMicro(["export-otel", record, "--otlp-endpoint", url]) }
        #expect(code == 0)
        #expect(text.contains("exported 1 trace(s)"))
        // The saved record exports exactly what --out wrote: the same ids, times and attributes.
        #expect(bodies.all == [file])
        let (missing, _, err) = await runMicro(["export-otel", folder.appendingPathComponent("none.json").path, "--out", out])
        #expect(missing == 2)
        #expect(err.contains("none.json: cannot read the file"))
    }

    /// Runs a receiver that keeps every `POST /v1/traces` body, for the duration of `body`.
    func withReceiver<R: Sendable>(_ bodies: Received, _ body: @escaping @Sendable (String) async throws -> R) async throws -> R {
        try await withLoopbackServer({ onRunning in
            let router = Router()
            router.post("/v1/traces") { request, _ -> Response in
                let bytes = try await request.body.collect(upTo: 16 << 20)
                let value = try JSONValue(parsing: String(buffer: bytes))
                bodies.append(value)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
            }
            return Application(
                router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: Logger.quiet("otlp"))
        }) { port in try await body("http://127.0.0.1:\(port)") }
    }

    /// A loopback port bound and not listening for as long as the socket stays open: connections to it are refused,
    /// and no other test (servers on bind-to-0 ports, in parallel) can take it meanwhile. Close the socket after.
    static func refusingPort() throws -> (socket: Int32, port: Int) {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }
}
