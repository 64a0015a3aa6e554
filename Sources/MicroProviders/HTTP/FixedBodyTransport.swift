/// Answers every request with the same body (HTTP 200), in pieces of `chunkSize` bytes when given: for reading
/// a saved response with an adapter (`micro providers parse`, drift checks, the black-box edge's summaries).
public struct FixedBodyTransport: HTTPTransport {
    public let body: [UInt8]
    public let chunkSize: Int?
    public let contentType: String

    public init(body: [UInt8], chunkSize: Int? = nil, contentType: String = "text/event-stream") {
        self.body = body
        self.chunkSize = chunkSize
        self.contentType = contentType
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let size = max(1, chunkSize ?? body.count)
        let body = body
        let chunks = stride(from: 0, to: body.count, by: size).map { Array(body[$0..<min($0 + size, body.count)]) }
        return HTTPResponse(
            status: 200, headers: [("content-type", contentType)],
            body: AsyncThrowingStream { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish()
            })
    }
}
