import Micro

/// A recorded provider session: what was sent and what came back, redacted, replayable without network.
///
/// ## File format (version 1)
///
/// Canonical JSON (sorted keys, two-space indentation, trailing newline), so equal cassettes are equal bytes
/// and diffs are readable:
///
/// ```
/// { "version": 1,
///   "metadata": { "provider"?, "model"?, "recordedAt": "2026-01-01T00:00:00.000Z",
///                 "source": "live" | "documented-example", "tool": "micro 0.1.0", "notes"? },
///   "interactions": [
///     { "request":  { "method", "url", "headers": [{"name", "value"}], "body"?, "bodyEncoding"? },
///       "response"?: { "status", "headers": [...], "body"?, "bodyEncoding"?,
///                      "chunks"?: [{ "offsetMs", "data", "encoding"? }] },
///       "error"?: { "code", "message" } } ] }
/// ```
///
/// - A body that is a JSON object or array is stored as that JSON value; any other body is a string:
///   UTF-8 text, or base64 when `bodyEncoding` (for chunks `encoding`) is `"base64"`.
/// - A response has either `body` (one piece) or `chunks` (streamed, each with its offset in milliseconds
///   from the moment the request was sent). A JSON `body` replays as its canonical bytes.
/// - `error` records a transport failure: without a `response` it failed before the head arrived; with one,
///   the body stream ends with that error after the chunks.
/// - Secrets are replaced by `"<redacted>"` before anything is written (see ``Redactor``).
public struct Cassette: Sendable, Hashable {
    /// The format version this build reads and writes.
    public static let formatVersion = 1
    /// The `tool` written by default.
    public static let defaultTool = "micro 0.1.0"

    public var metadata: Metadata
    public var interactions: [Interaction]

    public init(metadata: Metadata = Metadata(), interactions: [Interaction] = []) {
        self.metadata = metadata
        self.interactions = interactions
    }

    /// Where a cassette came from and how it was made.
    public struct Metadata: Sendable, Hashable {
        public enum Source: String, Sendable, Hashable {
            case live
            case documentedExample = "documented-example"
        }

        public var provider: String?
        public var model: String?
        /// ISO 8601 UTC, e.g. `2026-01-01T00:00:00.000Z`.
        public var recordedAt: String
        public var source: Source
        public var tool: String
        public var notes: String?

        public init(
            provider: String? = nil, model: String? = nil, recordedAt: String = "1970-01-01T00:00:00.000Z",
            source: Source = .live, tool: String = Cassette.defaultTool, notes: String? = nil
        ) {
            self.provider = provider
            self.model = model
            self.recordedAt = recordedAt
            self.source = source
            self.tool = tool
            self.notes = notes
        }

        /// The metadata of a recording made by `recorder` (`micro record`, …) against `upstream`: a loopback
        /// upstream is a stand-in, not the provider, so the recording is a `documented-example`, and says so.
        public static func recorded(
            by recorder: String, upstream: String?, provider: String?, model: String?, liveNotes: String? = nil
        ) -> Metadata {
            let loopback = upstream.map(ProviderCatalog.isLoopback) ?? false
            return Metadata(
                provider: provider?.lowercased(), model: model.flatMap { $0.isEmpty ? nil : $0 },
                source: loopback ? .documentedExample : .live,
                notes: loopback
                    ? "recorded by \(recorder) against a loopback stand-in serving the provider's documented wire format, not the live provider"
                    : liveNotes)
        }
    }

    /// One header field; names keep their recorded case and order.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A request or response body as stored.
    public enum Body: Sendable, Hashable {
        /// A JSON object or array (replayed as canonical bytes).
        case json(JSONValue)
        /// UTF-8 text, stored as is.
        case text(String)
        /// Anything else, stored as base64.
        case binary([UInt8])

        /// The body's bytes.
        public var bytes: [UInt8] {
            switch self {
            case .json(let value): value.canonicalBytes()
            case .text(let text): Array(text.utf8)
            case .binary(let bytes): bytes
            }
        }

        /// JSON when `bytes` parse as an object or array, else text when valid UTF-8, else binary.
        public init(bytes: [UInt8]) {
            if let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
                first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
                let value = try? JSONValue(parsing: bytes)
            {
                self = .json(value)
            } else {
                self = Body(exactBytes: bytes)
            }
        }

        /// Text when valid UTF-8, else binary: replays exactly these bytes.
        public init(exactBytes bytes: [UInt8]) {
            if let text = String(validating: bytes, as: UTF8.self) {
                self = .text(text)
            } else {
                self = .binary(bytes)
            }
        }
    }

    /// A recorded request (already redacted).
    public struct Request: Sendable, Hashable {
        public var method: String
        public var url: String
        public var headers: [Header]
        /// Nil for an empty body.
        public var body: Body?

        public init(method: String, url: String, headers: [Header] = [], body: Body? = nil) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    /// A piece of a streamed body and when it arrived.
    public struct Chunk: Sendable, Hashable {
        /// Milliseconds from sending the request to this chunk's arrival.
        public var offsetMs: Int64
        public var data: Body

        public init(offsetMs: Int64, data: Body) {
            self.offsetMs = offsetMs
            self.data = data
        }
    }

    /// A recorded response head and body.
    public struct Response: Sendable, Hashable {
        public var status: Int
        public var headers: [Header]
        /// The body in the pieces it arrived in. One piece at offset 0 is written as `body`.
        public var chunks: [Chunk]

        public init(status: Int, headers: [Header] = [], chunks: [Chunk] = []) {
            self.status = status
            self.headers = headers
            self.chunks = chunks
        }

        /// A response whose whole body arrived at once.
        public init(status: Int, headers: [Header] = [], body: Body) {
            self.init(status: status, headers: headers, chunks: [Chunk(offsetMs: 0, data: body)])
        }
    }

    /// A recorded transport failure.
    public struct Failure: Sendable, Hashable {
        /// An ``HTTPError/Code`` raw value, e.g. `timed_out`.
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// One request and what came of it.
    public struct Interaction: Sendable, Hashable {
        public var request: Request
        /// Nil when the transport failed before the response head.
        public var response: Response?
        public var error: Failure?

        public init(request: Request, response: Response? = nil, error: Failure? = nil) {
            self.request = request
            self.response = response
            self.error = error
        }
    }
}
