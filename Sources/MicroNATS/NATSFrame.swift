/// One protocol frame from the server.
enum NATSFrame: Sendable, Hashable {
    case info(NATSServerInfo)
    case message(NATSInboundMessage)
    case ping
    case pong
    case ok
    /// `-ERR 'text'`: the text between the quotes.
    case error(String)
}

/// A `MSG` or `HMSG` frame: a message delivered to subscription `sid`.
struct NATSInboundMessage: Sendable, Hashable {
    var subject: String
    var sid: UInt64
    var replyTo: String?
    /// The raw `NATS/1.0` header block of an `HMSG`; nil for a `MSG`.
    var headerBlock: [UInt8]?
    var payload: [UInt8]
}
