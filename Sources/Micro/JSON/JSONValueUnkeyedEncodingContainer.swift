/// An unkeyed container of ``JSONValueEncoderImpl``: appends elements to an array slot.
struct JSONValueUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: JSONValueEncoderImpl
    let slot: Int
    let id: Int

    var codingPath: [any CodingKey] { encoder.codingPath(of: slot) }

    var count: Int {
        encoder.checkLive(slot, id)
        return encoder.elementCount(in: slot)
    }

    private func append(_ value: JSONValue) {
        encoder.checkLive(slot, id)
        encoder.appendElement(value, in: slot)
    }

    private func nextPath() -> [any CodingKey] { encoder.codingPath(of: slot, appending: .index(count)) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try JSONValueEncoderImpl.number(value, path: nextPath)) }
    mutating func encode(_ value: Float) throws { append(try JSONValueEncoderImpl.number(value, path: nextPath)) }
    mutating func encode(_ value: Int) throws { append(.integer(value)) }
    mutating func encode(_ value: Int8) throws { append(.integer(Int(value))) }
    mutating func encode(_ value: Int16) throws { append(.integer(Int(value))) }
    mutating func encode(_ value: Int32) throws { append(.integer(Int(value))) }
    mutating func encode(_ value: Int64) throws { append(.integer(Int(value))) }
    mutating func encode(_ value: UInt) throws { append(try JSONValueEncoderImpl.integer(value, path: nextPath)) }
    mutating func encode(_ value: UInt8) throws { append(.integer(Int(value))) }
    mutating func encode(_ value: UInt16) throws { append(.integer(Int(value))) }
    mutating func encode(_ value: UInt32) throws { append(.integer(Int(value))) }
    mutating func encode(_ value: UInt64) throws { append(try JSONValueEncoderImpl.integer(value, path: nextPath)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try encoder.box(value, parent: slot, component: .index(count)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let index = count
        append(.object([:]))
        let child = encoder.pushSlot(.object, parent: slot, component: .index(index), folds: true)
        return KeyedEncodingContainer(
            JSONValueKeyedEncodingContainer<NestedKey>(encoder: encoder, slot: child.index, id: child.id)
        )
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = count
        append(.array([]))
        let child = encoder.pushSlot(.array, parent: slot, component: .index(index), folds: true)
        return JSONValueUnkeyedEncodingContainer(encoder: encoder, slot: child.index, id: child.id)
    }

    mutating func superEncoder() -> any Encoder {
        let index = count
        append(.object([:]))
        return encoder.makeSuperEncoder(parent: slot, component: .index(index))
    }
}
