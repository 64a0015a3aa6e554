/// A keyed container of ``JSONValueEncoderImpl``: writes members into an object slot.
struct JSONValueKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONValueEncoderImpl
    let slot: Int
    let id: Int

    var codingPath: [any CodingKey] { encoder.codingPath(of: slot) }

    private func set(_ value: JSONValue, _ key: Key) {
        encoder.checkLive(slot, id)
        encoder.setMember(value, forKey: key.stringValue, in: slot)
    }

    private func path(_ key: Key) -> [any CodingKey] { encoder.codingPath(of: slot, appending: .key(key)) }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.number(value, path: { path(key) }), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.number(value, path: { path(key) }), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.integer(Int(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.integer(Int(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(Int(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.integer(value, path: { path(key) }), key)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.integer(Int(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.integer(Int(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.integer(Int(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.integer(value, path: { path(key) }), key)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        encoder.checkLive(slot, id)
        set(try encoder.box(value, parent: slot, component: .key(key)), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        encoder.checkLive(slot, id)
        let child = encoder.pushSlot(.object, parent: slot, component: .key(key), folds: true)
        return KeyedEncodingContainer(
            JSONValueKeyedEncodingContainer<NestedKey>(encoder: encoder, slot: child.index, id: child.id)
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.checkLive(slot, id)
        let child = encoder.pushSlot(.array, parent: slot, component: .key(key), folds: true)
        return JSONValueUnkeyedEncodingContainer(encoder: encoder, slot: child.index, id: child.id)
    }

    mutating func superEncoder() -> any Encoder {
        encoder.checkLive(slot, id)
        return encoder.makeSuperEncoder(parent: slot, component: .key(JSONCodingKey.superKey))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.checkLive(slot, id)
        return encoder.makeSuperEncoder(parent: slot, component: .key(key))
    }
}
