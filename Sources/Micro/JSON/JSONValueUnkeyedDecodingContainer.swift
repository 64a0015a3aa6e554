/// An unkeyed container of ``JSONValueDecoderImpl`` over one array.
struct JSONValueUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoderImpl
    let array: [JSONValue]
    let depth: Int
    let steps: [JSONCodingPathComponent]
    private(set) var currentIndex = 0

    init(decoder: JSONValueDecoderImpl, array: [JSONValue], depth: Int, steps: [JSONCodingPathComponent]) {
        self.decoder = decoder
        self.array = array
        self.depth = depth
        self.steps = steps
    }

    var codingPath: [any CodingKey] { decoder.codingPath(depth: depth, steps: steps) }
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    private func path() -> [any CodingKey] {
        decoder.codingPath(depth: depth, steps: steps, appending: .index(currentIndex))
    }

    /// The current element; throws `valueNotFound` at the end.
    private func next(_ type: Any.Type) throws -> JSONValue {
        guard currentIndex < array.count else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path(), debugDescription: "Unkeyed container is at end."))
        }
        return array[currentIndex]
    }

    /// Decodes the current element with `decode`, advancing only on success.
    private mutating func advance<T>(_ type: T.Type, _ decode: (JSONValue, () -> [any CodingKey]) throws -> T) throws -> T {
        let result = try decode(next(type), path)
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        if try next(Optional<Any>.self) == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try advance(type) { try JSONValueDecoderImpl.bool($0, path: $1) } }
    mutating func decode(_ type: String.Type) throws -> String {
        try advance(type) { try JSONValueDecoderImpl.string($0, path: $1) }
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        try advance(type) { try JSONValueDecoderImpl.double($0, path: $1) }
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        try advance(type) { try JSONValueDecoderImpl.float($0, path: $1) }
    }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        try advance(type) { try JSONValueDecoderImpl.integer($0, as: type, path: $1) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try next(type)
        let result = try decoder.unbox(value, as: type, depth: depth, steps: steps, last: .index(currentIndex))
        currentIndex += 1
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try next(KeyedDecodingContainer<NestedKey>.self)
        guard case .object(let object) = value else {
            throw JSONValueDecoderImpl.mismatch([String: JSONValue].self, value, path: path)
        }
        let container = JSONValueKeyedDecodingContainer<NestedKey>(
            decoder: decoder, object: object, depth: depth, steps: steps + [.index(currentIndex)]
        )
        currentIndex += 1
        return KeyedDecodingContainer(container)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let value = try next((any UnkeyedDecodingContainer).self)
        guard case .array(let array) = value else {
            throw JSONValueDecoderImpl.mismatch([JSONValue].self, value, path: path)
        }
        let container = JSONValueUnkeyedDecodingContainer(
            decoder: decoder, array: array, depth: depth, steps: steps + [.index(currentIndex)]
        )
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let value = try next((any Decoder).self)
        let decoder = decoder.makeSuperDecoder(value, codingPath: path())
        currentIndex += 1
        return decoder
    }
}
