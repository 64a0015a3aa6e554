import Foundation
import Micro

extension Cassette {
    /// The cassette as a JSON value (see the format in ``Cassette``).
    public var jsonValue: JSONValue {
        var meta: [String: JSONValue] = [
            "recordedAt": .string(metadata.recordedAt),
            "source": .string(metadata.source.rawValue),
            "tool": .string(metadata.tool),
        ]
        if let provider = metadata.provider { meta["provider"] = .string(provider) }
        if let model = metadata.model { meta["model"] = .string(model) }
        if let notes = metadata.notes { meta["notes"] = .string(notes) }
        return .object([
            "version": .integer(Self.formatVersion),
            "metadata": .object(meta),
            "interactions": .array(interactions.map(Self.encode)),
        ])
    }

    /// The file's bytes: pretty-printed canonical JSON and a trailing newline.
    public func encoded() -> [UInt8] {
        Array((jsonValue.prettyString() + "\n").utf8)
    }

    /// Reads a cassette from its JSON text; `file` only labels errors.
    public init(bytes: some Collection<UInt8>, file: String? = nil) throws(CassetteError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw CassetteError(.malformedJSON, error.message, file: file, line: error.line, column: error.column)
        }
        try self.init(json: value, file: file)
    }

    /// Reads a cassette from a JSON value; `file` only labels errors.
    public init(json: JSONValue, file: String? = nil) throws(CassetteError) {
        let r = CassetteReader(file: file)
        let root = try r.object(json, "$")
        let version = try r.required(root, "version", "$")
        guard version.intValue == Self.formatVersion else {
            throw r.error(.unsupportedVersion, "$.version", "version \(version) is not supported (expected \(Self.formatVersion))")
        }
        let meta = try r.object(try r.required(root, "metadata", "$"), "$.metadata")
        let sourceText = try r.string(meta, "source", "$.metadata")
        guard let source = Metadata.Source(rawValue: sourceText) else {
            throw r.error(.invalidValue, "$.metadata.source", "\"\(sourceText)\" is not \"live\" or \"documented-example\"")
        }
        metadata = Metadata(
            provider: try r.optionalString(meta, "provider", "$.metadata"),
            model: try r.optionalString(meta, "model", "$.metadata"),
            recordedAt: try r.string(meta, "recordedAt", "$.metadata"),
            source: source,
            tool: try r.string(meta, "tool", "$.metadata"),
            notes: try r.optionalString(meta, "notes", "$.metadata")
        )
        let list = try r.array(try r.required(root, "interactions", "$"), "$.interactions")
        var interactions: [Interaction] = []
        interactions.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            interactions.append(try Self.decodeInteraction(item, "$.interactions[\(i)]", r))
        }
        self.interactions = interactions
    }

    // MARK: Encoding

    static func encode(_ interaction: Interaction) -> JSONValue {
        var request: [String: JSONValue] = [
            "method": .string(interaction.request.method),
            "url": .string(interaction.request.url),
            "headers": encode(interaction.request.headers),
        ]
        if let body = interaction.request.body { encode(body, into: &request, key: "body", flag: "bodyEncoding") }
        var object: [String: JSONValue] = ["request": .object(request)]
        if let response = interaction.response {
            var r: [String: JSONValue] = ["status": .integer(response.status), "headers": encode(response.headers)]
            if response.chunks.isEmpty {
                r["body"] = .string("")
            } else if response.chunks.count == 1, response.chunks[0].offsetMs == 0 {
                encode(response.chunks[0].data, into: &r, key: "body", flag: "bodyEncoding")
            } else {
                r["chunks"] = .array(
                    response.chunks.map { chunk in
                        var c: [String: JSONValue] = ["offsetMs": .integer(Int(chunk.offsetMs))]
                        encode(chunk.data, into: &c, key: "data", flag: "encoding")
                        return .object(c)
                    })
            }
            object["response"] = .object(r)
        }
        if let error = interaction.error {
            object["error"] = ["code": .string(error.code), "message": .string(error.message)]
        }
        return .object(object)
    }

    private static func encode(_ headers: [Header]) -> JSONValue {
        .array(headers.map { ["name": .string($0.name), "value": .string($0.value)] })
    }

    private static func encode(_ body: Body, into object: inout [String: JSONValue], key: String, flag: String) {
        switch body {
        case .json(let value): object[key] = value
        case .text(let text): object[key] = .string(text)
        case .binary(let bytes):
            object[key] = .string(Data(bytes).base64EncodedString())
            object[flag] = "base64"
        }
    }

    // MARK: Decoding

    static func decodeInteraction(_ value: JSONValue, _ path: String, _ r: CassetteReader) throws(CassetteError) -> Interaction {
        let o = try r.object(value, path)
        let rq = try r.object(try r.required(o, "request", path), path + ".request")
        let request = Request(
            method: try r.string(rq, "method", path + ".request"),
            url: try r.string(rq, "url", path + ".request"),
            headers: try decodeHeaders(rq, path + ".request", r),
            body: try decodeBody(rq, key: "body", flag: "bodyEncoding", path + ".request", r)
        )
        var response: Response?
        if let rsValue = o["response"] {
            let rp = path + ".response"
            let rs = try r.object(rsValue, rp)
            let statusValue = try r.required(rs, "status", rp)
            guard let status = statusValue.intValue, (100...999).contains(status) else {
                throw r.error(.invalidValue, rp + ".status", "expected an HTTP status code, found \(statusValue)")
            }
            var chunks: [Chunk] = []
            if let list = rs["chunks"] {
                for (i, item) in try r.array(list, rp + ".chunks").enumerated() {
                    let cp = rp + ".chunks[\(i)]"
                    let c = try r.object(item, cp)
                    let offset = try r.required(c, "offsetMs", cp)
                    guard let ms = offset.intValue, ms >= 0 else {
                        throw r.error(.invalidValue, cp + ".offsetMs", "expected a non-negative integer, found \(offset)")
                    }
                    guard let data = try decodeBody(c, key: "data", flag: "encoding", cp, r) else {
                        throw r.error(.missingField, cp + ".data", "missing required member \"data\"")
                    }
                    chunks.append(Chunk(offsetMs: Int64(ms), data: data))
                }
            } else if let body = try decodeBody(rs, key: "body", flag: "bodyEncoding", rp, r) {
                if !body.bytes.isEmpty { chunks = [Chunk(offsetMs: 0, data: body)] }
            } else {
                throw r.error(.missingField, rp, "a response needs \"body\" or \"chunks\"")
            }
            response = Response(status: status, headers: try decodeHeaders(rs, rp, r), chunks: chunks)
        }
        var failure: Failure?
        if let errorValue = o["error"] {
            let e = try r.object(errorValue, path + ".error")
            failure = Failure(code: try r.string(e, "code", path + ".error"), message: try r.string(e, "message", path + ".error"))
        }
        if response == nil, failure == nil {
            throw r.error(.missingField, path, "an interaction needs a \"response\" or an \"error\"")
        }
        return Interaction(request: request, response: response, error: failure)
    }

    private static func decodeHeaders(_ o: [String: JSONValue], _ path: String, _ r: CassetteReader) throws(CassetteError) -> [Header] {
        guard let value = o["headers"] else { return [] }
        var headers: [Header] = []
        for (i, item) in try r.array(value, path + ".headers").enumerated() {
            let hp = path + ".headers[\(i)]"
            let h = try r.object(item, hp)
            headers.append(Header(name: try r.string(h, "name", hp), value: try r.string(h, "value", hp)))
        }
        return headers
    }

    private static func decodeBody(
        _ o: [String: JSONValue], key: String, flag: String, _ path: String, _ r: CassetteReader
    ) throws(CassetteError) -> Body? {
        guard let value = o[key] else { return nil }
        let encoding = try r.optionalString(o, flag, path) ?? "text"
        switch value {
        case .object, .array:
            return .json(value)
        case .string(let text) where encoding == "base64":
            guard let data = Data(base64Encoded: text) else {
                throw r.error(.badBase64, "\(path).\(key)", "not valid base64")
            }
            return .binary([UInt8](data))
        case .string(let text) where encoding == "text":
            return .text(text)
        case .string:
            throw r.error(.invalidValue, "\(path).\(flag)", "\"\(encoding)\" is not \"text\" or \"base64\"")
        default:
            throw r.error(.invalidValue, "\(path).\(key)", "expected a string, object or array, found \(value.typeName)")
        }
    }
}

/// Typed access to a cassette's JSON that reports the file and JSON path of what is wrong.
struct CassetteReader {
    var file: String?

    func error(_ code: CassetteError.Code, _ path: String, _ message: String) -> CassetteError {
        CassetteError(code, message, file: file, jsonPath: path)
    }

    func object(_ value: JSONValue, _ path: String) throws(CassetteError) -> [String: JSONValue] {
        guard case .object(let o) = value else { throw error(.invalidValue, path, "expected an object, found \(value.typeName)") }
        return o
    }

    func array(_ value: JSONValue, _ path: String) throws(CassetteError) -> [JSONValue] {
        guard case .array(let a) = value else { throw error(.invalidValue, path, "expected an array, found \(value.typeName)") }
        return a
    }

    func required(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CassetteError) -> JSONValue {
        guard let value = o[key] else { throw error(.missingField, "\(path).\(key)", "missing required member \"\(key)\"") }
        return value
    }

    func string(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CassetteError) -> String {
        let value = try required(o, key, path)
        guard case .string(let s) = value else { throw error(.invalidValue, "\(path).\(key)", "expected a string, found \(value.typeName)") }
        return s
    }

    func optionalString(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CassetteError) -> String? {
        guard o[key] != nil else { return nil }
        return try string(o, key, path)
    }
}
