import Micro

/// Client-to-server protocol lines, as bytes ready to write.
enum NATSCommand {
    static let ping = Array("PING\r\n".utf8)
    static let pong = Array("PONG\r\n".utf8)

    /// `CONNECT {…}` with the URL's credentials; headers on, no echo suppression, no +OK acknowledgements.
    static func connect(_ url: NATSURL, name: String?) -> [UInt8] {
        var options: [String: JSONValue] = [
            "verbose": false, "pedantic": false, "headers": true, "no_responders": false,
            "lang": "swift", "version": "0.1.0", "protocol": 1,
        ]
        if let user = url.user { options["user"] = .string(user) }
        if let password = url.password { options["pass"] = .string(password) }
        if let token = url.token { options["auth_token"] = .string(token) }
        if let name { options["name"] = .string(name) }
        return Array("CONNECT ".utf8) + JSONValue.object(options).canonicalBytes() + [13, 10]
    }

    /// `HPUB subject hdrlen totlen` with the header block and payload.
    static func hpub(subject: String, headerBlock: [UInt8], payload: [UInt8]) -> [UInt8] {
        var bytes = Array("HPUB \(subject) \(headerBlock.count) \(headerBlock.count + payload.count)\r\n".utf8)
        bytes.reserveCapacity(bytes.count + headerBlock.count + payload.count + 2)
        bytes += headerBlock
        bytes += payload
        bytes += [13, 10]
        return bytes
    }

    static func sub(subject: String, queue: String?, sid: UInt64) -> [UInt8] {
        Array("SUB \(subject)\(queue.map { " \($0)" } ?? "") \(sid)\r\n".utf8)
    }

    static func unsub(sid: UInt64) -> [UInt8] {
        Array("UNSUB \(sid)\r\n".utf8)
    }
}
