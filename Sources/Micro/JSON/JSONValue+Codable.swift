extension JSONValue: Codable {
    /// Decodes any JSON value.
    ///
    /// With ``JSONValueDecoder`` the value is taken as is. Other decoders are asked in the order null, `Bool`,
    /// `Int`, `Double`, `String`, array, object, so a number becomes ``integer(_:)`` when the decoder can read
    /// it as an `Int`. Foundation's `JSONDecoder` reads integral numbers such as `1.0` or `1e2` as `Int`, so
    /// through it they become ``integer(_:)`` (JSON Schema calls them integers too); `1.5` becomes ``number(_:)``.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? JSONValueDecoderImpl {
            self = decoder.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .integer(i)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else if let o = try? container.decode([String: JSONValue].self) {
            self = .object(o)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "The value is not a JSON value.")
        }
    }

    /// Encodes this value; ``JSONValueEncoder`` takes it as is.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? JSONValueEncoderImpl {
            encoder.encodeJSONValue(self)
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .integer(let i): try container.encode(i)
        case .number(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}
