/// A keyed container of ``JSONValueDecoderImpl`` over one object.
struct JSONValueKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoderImpl
    let object: [String: JSONValue]
    /// The decoder's path depth when the level that made this container began.
    let depth: Int
    /// Steps added by nested containers below that level.
    let steps: [JSONCodingPathComponent]

    var codingPath: [any CodingKey] { decoder.codingPath(depth: depth, steps: steps) }

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func path(_ key: Key) -> [any CodingKey] { decoder.codingPath(depth: depth, steps: steps, appending: .key(key)) }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\").")
            )
        }
        return value
    }

    /// The member for `key`, or nil when it is missing or null.
    private func presentMember(_ key: Key) -> JSONValue? {
        guard let value = object[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try JSONValueDecoderImpl.bool(member(key), path: { path(key) })
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try JSONValueDecoderImpl.string(member(key), path: { path(key) })
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try JSONValueDecoderImpl.double(member(key), path: { path(key) })
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try JSONValueDecoderImpl.float(member(key), path: { path(key) })
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        try JSONValueDecoderImpl.integer(member(key), as: type, path: { path(key) })
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unbox(member(key), as: type, depth: depth, steps: steps, last: .key(key))
    }

    // One lookup each instead of the default contains + decodeNil + decode.

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try presentMember(key).map { try JSONValueDecoderImpl.bool($0, path: { path(key) }) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try presentMember(key).map { try JSONValueDecoderImpl.string($0, path: { path(key) }) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try presentMember(key).map { try JSONValueDecoderImpl.double($0, path: { path(key) }) }
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try presentMember(key).map { try JSONValueDecoderImpl.float($0, path: { path(key) }) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try integerIfPresent(type, key) }

    private func integerIfPresent<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I? {
        try presentMember(key).map { try JSONValueDecoderImpl.integer($0, as: type, path: { path(key) }) }
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = object[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return try decoder.unbox(value, as: type, depth: depth, steps: steps, last: .key(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try member(key)
        guard case .object(let object) = value else {
            throw JSONValueDecoderImpl.mismatch([String: JSONValue].self, value, path: { path(key) })
        }
        return KeyedDecodingContainer(
            JSONValueKeyedDecodingContainer<NestedKey>(
                decoder: decoder, object: object, depth: depth, steps: steps + [.key(key)]
            )
        )
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let value = try member(key)
        guard case .array(let array) = value else {
            throw JSONValueDecoderImpl.mismatch([JSONValue].self, value, path: { path(key) })
        }
        return JSONValueUnkeyedDecodingContainer(decoder: decoder, array: array, depth: depth, steps: steps + [.key(key)])
    }

    func superDecoder() throws -> any Decoder {
        decoder.makeSuperDecoder(
            object[JSONCodingKey.superKey.stringValue] ?? .null,
            codingPath: decoder.codingPath(depth: depth, steps: steps, appending: .key(JSONCodingKey.superKey))
        )
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.makeSuperDecoder(object[key.stringValue] ?? .null, codingPath: path(key))
    }
}
