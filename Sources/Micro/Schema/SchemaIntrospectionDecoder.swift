/// The `Decoder` schema derivation runs a type's `init(from:)` against. It holds no data: every `decode` call
/// records the requested key and type into a ``SchemaRecording`` (asking the ``SchemaDeriver`` for that type's
/// schema) and answers with a placeholder value so the initializer runs to completion. Optional reads
/// (`decodeIfPresent`, keys probed with `contains`) are recorded as not required and answered with `nil`.
///
/// Without a recording it is in placeholder mode: it only builds an instance, answering `nil`, empty
/// collections and absent keys wherever it may.
struct SchemaIntrospectionDecoder: Decoder {
    let deriver: SchemaDeriver
    /// Where decode calls are recorded; nil in placeholder mode.
    let recording: SchemaRecording?
    let codingPath: [any CodingKey]

    var userInfo: [CodingUserInfoKey: Any] { [JSONSchema.introspectionUserInfoKey: true] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        recording?.settle(.keyed)
        return KeyedDecodingContainer(SchemaKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        recording?.settle(.unkeyed)
        return SchemaUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        recording?.settle(.single)
        return SchemaSingleValueContainer(decoder: self)
    }

    /// A decoder for a nested value at `key`, recorded into `content` of this one.
    func nested(at key: any CodingKey, record: (SchemaRecording, SchemaRecording) -> Void) -> SchemaIntrospectionDecoder {
        let child = recording.map { parent in
            let child = SchemaRecording()
            record(parent, child)
            return child
        }
        return SchemaIntrospectionDecoder(deriver: deriver, recording: child, codingPath: codingPath + [key])
    }

    func schema<T: Decodable>(for type: T.Type, at path: [any CodingKey]) throws -> JSONSchema {
        try deriver.schema(for: type, at: path)
    }

    func value<T: Decodable>(of type: T.Type, at path: [any CodingKey]) throws -> T {
        try deriver.instance(of: type, at: path)
    }
}

/// What one `init(from:)` run asked of its decoder.
final class SchemaRecording {
    enum Shape { case unknown, keyed, unkeyed, single }

    enum Content {
        case schema(JSONSchema)
        case nested(SchemaRecording)

        var schema: JSONSchema {
            switch self {
            case .schema(let schema): schema
            case .nested(let recording): recording.schema()
            }
        }
    }

    struct Member {
        let name: String
        let content: Content
        var required: Bool
    }

    private(set) var shape = Shape.unknown
    private var members: [Member] = []
    private var memberIndex: [String: Int] = [:]
    /// Keys checked with `contains` or `decodeNil`: optional, or explicitly nullable.
    var probedKeys: Set<String> = []
    var nullableKeys: Set<String> = []
    var items: [Content] = []
    var nullableItems = false
    var single: Content?
    var nullable = false

    /// Fixes the container kind on first use (later kinds are ignored).
    func settle(_ shape: Shape) {
        if self.shape == .unknown { self.shape = shape }
    }

    /// Records member `name`; a name recorded again keeps its first schema and stays required only if every
    /// read of it was required.
    func record(_ name: String, _ content: Content, required: Bool) {
        if let index = memberIndex[name] {
            members[index].required = members[index].required && required
        } else {
            memberIndex[name] = members.count
            members.append(Member(name: name, content: content, required: required))
        }
    }

    func schema() -> JSONSchema {
        var schema: JSONSchema
        switch shape {
        case .unknown, .keyed:  // an initializer that reads nothing belongs to an empty struct
            schema = JSONSchema(type: [.object])
            schema.properties = members.map { member in
                let property = member.content.schema
                return JSONSchema.NamedSchema(member.name, nullableKeys.contains(member.name) ? property.orNull() : property)
            }
            let required = members.filter { $0.required && !probedKeys.contains($0.name) }.map(\.name)
            schema.required = required.isEmpty ? nil : required
            schema.additionalProperties = .forbidden
        case .unkeyed:
            schema = JSONSchema(type: [.array])
            var distinct: [JSONSchema] = []
            for item in items.map(\.schema) where !distinct.contains(item) { distinct.append(item) }
            switch distinct.count {
            case 0: break
            case 1: schema.items = distinct[0]
            default: schema.items = .anyOf(distinct)
            }
            if nullableItems { schema.items = (schema.items ?? .any).orNull() }
        case .single:
            schema = single?.schema ?? .any
        }
        return nullable ? schema.orNull() : schema
    }
}

/// Coding keys introspection adds to coding paths: array elements, dictionary values, `super`.
struct SchemaCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }

    /// Any element of an array, rendered `[*]`.
    static let element = SchemaCodingKey(stringValue: "[*]")
    /// Any value of a dictionary, rendered `.*`.
    static let value = SchemaCodingKey(stringValue: ".*")
    static let `super` = SchemaCodingKey(stringValue: "super")

    /// `$.trip.legs[*].from`.
    static func render(_ path: [any CodingKey]) -> String {
        var out = "$"
        for key in path {
            if let key = key as? SchemaCodingKey, key.intValue == nil, key.stringValue == "[*]" || key.stringValue == ".*" {
                out += key.stringValue
            } else if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += SchemaPath.member(key.stringValue)
            }
        }
        return out
    }
}

struct SchemaKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: SchemaIntrospectionDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool {
        guard let recording = decoder.recording else { return false }
        recording.probedKeys.insert(key.stringValue)
        return true
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let recording = decoder.recording else { return true }
        recording.nullableKeys.insert(key.stringValue)
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let path = codingPath + [key]
        if let recording = decoder.recording {
            recording.record(key.stringValue, .schema(try decoder.schema(for: type, at: path)), required: true)
        }
        return try decoder.value(of: type, at: path)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if let recording = decoder.recording {
            let schema = try decoder.schema(for: type, at: codingPath + [key]).orNull()
            recording.record(key.stringValue, .schema(schema), required: false)
        }
        return nil
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { nestedDecoder(SchemaCodingKey.super) }

    func superDecoder(forKey key: Key) throws -> any Decoder { nestedDecoder(key) }

    private func nestedDecoder(_ key: any CodingKey) -> SchemaIntrospectionDecoder {
        decoder.nested(at: key) { parent, child in parent.record(key.stringValue, .nested(child), required: true) }
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeIfPresent(type, key) }

    // The concrete overloads above route here (calling the generic requirement directly would recurse).
    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T { try decode(type, forKey: key) }
    private func decodeIfPresent<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        try decodeIfPresent(type, forKey: key)
    }
}

struct SchemaUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: SchemaIntrospectionDecoder
    /// Recording: one element, so `while !isAtEnd` loops read exactly one. Placeholder mode: empty.
    private(set) var currentIndex = 0

    init(decoder: SchemaIntrospectionDecoder) { self.decoder = decoder }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { decoder.recording == nil ? 0 : 1 }
    var isAtEnd: Bool { decoder.recording == nil || currentIndex >= 1 }

    mutating func decodeNil() throws -> Bool {
        guard let recording = decoder.recording else { return true }
        recording.nullableItems = true
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath + [SchemaCodingKey(intValue: currentIndex)]
        if let recording = decoder.recording { recording.items.append(.schema(try decoder.schema(for: type, at: path))) }
        currentIndex += 1
        return try decoder.value(of: type, at: path)
    }

    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        let path = codingPath + [SchemaCodingKey(intValue: currentIndex)]
        if let recording = decoder.recording {
            recording.items.append(.schema(try decoder.schema(for: type, at: path).orNull()))
        }
        currentIndex += 1
        return nil
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try nextDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nextDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { nextDecoder() }

    private mutating func nextDecoder() -> SchemaIntrospectionDecoder {
        let key = SchemaCodingKey(intValue: currentIndex)
        currentIndex += 1
        return decoder.nested(at: key) { parent, child in parent.items.append(.nested(child)) }
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeValue(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeValue(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeValue(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeValue(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeValue(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeValue(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeValue(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeValue(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeValue(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeValue(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type) }

    private mutating func decodeValue<T: Decodable>(_ type: T.Type) throws -> T { try decode(type) }
}

struct SchemaSingleValueContainer: SingleValueDecodingContainer {
    let decoder: SchemaIntrospectionDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        guard let recording = decoder.recording else { return true }
        recording.nullable = true
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let recording = decoder.recording, recording.single == nil {
            recording.single = .schema(try decoder.schema(for: type, at: codingPath))
        }
        return try decoder.value(of: type, at: codingPath)
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type) }
    func decode(_ type: String.Type) throws -> String { try decodeValue(type) }
    func decode(_ type: Double.Type) throws -> Double { try decodeValue(type) }
    func decode(_ type: Float.Type) throws -> Float { try decodeValue(type) }
    func decode(_ type: Int.Type) throws -> Int { try decodeValue(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeValue(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeValue(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeValue(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeValue(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeValue(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeValue(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type) }

    private func decodeValue<T: Decodable>(_ type: T.Type) throws -> T { try decode(type) }
}
