#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `Decoder` behind ``JSONValueDecoder``.
///
/// One instance serves a whole decode: decoding a child value swaps `value` and pushes one step on `path`,
/// then restores both, so nothing is allocated per level. Containers are structs that keep their own
/// array or object and the depth of `path` at which they were made (plus the steps of nested containers).
final class JSONValueDecoderImpl: Decoder, SingleValueDecodingContainer {
    /// The value being decoded at this level.
    private(set) var value: JSONValue
    private var path: [JSONCodingPathComponent] = []
    private let basePath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    init(value: JSONValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.value = value
        self.basePath = codingPath
        self.userInfo = userInfo
    }

    var codingPath: [any CodingKey] { basePath + path.map(\.codingKey) }

    /// The coding path of a container made at `depth`, below which it added `steps`, then `last` if any.
    func codingPath(
        depth: Int, steps: [JSONCodingPathComponent], appending last: JSONCodingPathComponent? = nil
    ) -> [any CodingKey] {
        var keys = basePath
        keys.reserveCapacity(basePath.count + depth + steps.count + 1)
        for component in path.prefix(depth) { keys.append(component.codingKey) }
        for component in steps { keys.append(component.codingKey) }
        if let last { keys.append(last.codingKey) }
        return keys
    }

    var depth: Int { path.count }

    // MARK: Decoding values

    /// Decodes `child`, a value below the current one reached by `steps` then `last`.
    func unbox<T: Decodable>(
        _ child: JSONValue, as type: T.Type, depth: Int, steps: [JSONCodingPathComponent], last: JSONCodingPathComponent
    ) throws -> T {
        if let special = try specialValue(
            child, as: T.self, path: { codingPath(depth: depth, steps: steps, appending: last) }
        ) {
            return special
        }
        if !steps.isEmpty { path.append(contentsOf: steps) }
        path.append(last)
        let saved = value
        value = child
        defer {
            value = saved
            path.removeLast(steps.count + 1)
        }
        return try T(from: self)
    }

    /// Decodes `value` at the current path (the top level, or a single value container's contents).
    func unbox<T: Decodable>(_ value: JSONValue, as type: T.Type) throws -> T {
        if let special = try specialValue(value, as: T.self, path: { codingPath }) { return special }
        return try T(from: self)
    }

    /// Values with a fixed JSON form: common primitives (a fast path), ``JSONValue``, `Date`, `URL`, `Data`,
    /// `Decimal`, and arrays and dictionaries of ``JSONValue``.
    private func specialValue<T: Decodable>(
        _ value: JSONValue, as type: T.Type, path: () -> [any CodingKey]
    ) throws -> T? {
        if type == String.self { return try Self.string(value, path: path) as? T }
        if type == Int.self { return try Self.integer(value, as: Int.self, path: path) as? T }
        if type == Double.self { return try Self.double(value, path: path) as? T }
        if type == Bool.self { return try Self.bool(value, path: path) as? T }
        if type == JSONValue.self { return value as? T }
        if type == Date.self {
            let text = try Self.string(value, as: Date.self, path: path)
            guard let date = JSONDateCoding.date(from: text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path(), debugDescription: "Expected an ISO 8601 date but found \"\(text)\".")
                )
            }
            return date as? T
        }
        if type == URL.self {
            let text = try Self.string(value, as: URL.self, path: path)
            guard let url = URL(string: text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path(), debugDescription: "Invalid URL string \"\(text)\".")
                )
            }
            return url as? T
        }
        if type == Data.self {
            let text = try Self.string(value, as: Data.self, path: path)
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path(), debugDescription: "Encountered Data is not valid Base64.")
                )
            }
            return data as? T
        }
        if type == Decimal.self { return try Self.decimal(value, path: path) as? T }
        if type == [String: JSONValue].self {
            guard case .object(let object) = value else { throw Self.mismatch(type, value, path: path) }
            return object as? T
        }
        if type == [JSONValue].self {
            guard case .array(let array) = value else { throw Self.mismatch(type, value, path: path) }
            return array as? T
        }
        return nil
    }

    // MARK: Primitives

    static func mismatch(_ type: Any.Type, _ value: JSONValue, path: () -> [any CodingKey]) -> DecodingError {
        if case .null = value {
            return .valueNotFound(type, .init(codingPath: path(), debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(
            type,
            .init(codingPath: path(), debugDescription: "Expected to decode \(type) but found \(value.typeDescriptionWithArticle) instead.")
        )
    }

    static func bool(_ value: JSONValue, path: () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, value, path: path) }
        return b
    }

    static func string(_ value: JSONValue, as type: Any.Type = String.self, path: () -> [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw mismatch(type, value, path: path) }
        return s
    }

    static func double(_ value: JSONValue, path: () -> [any CodingKey]) throws -> Double {
        switch value {
        case .number(let d): return d
        case .integer(let i): return Double(i)
        default: throw mismatch(Double.self, value, path: path)
        }
    }

    static func float(_ value: JSONValue, path: () -> [any CodingKey]) throws -> Float {
        let d = try double(value, path: path)
        guard d.isNaN || abs(d) <= Double(Float.greatestFiniteMagnitude) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: path(), debugDescription: "Number \(d) does not fit in Float.")
            )
        }
        return Float(d)
    }

    static func integer<I: FixedWidthInteger>(_ value: JSONValue, as: I.Type, path: () -> [any CodingKey]) throws -> I {
        switch value {
        case .integer(let i):
            if let result = I(exactly: i) { return result }
            throw DecodingError.dataCorrupted(
                .init(codingPath: path(), debugDescription: "Number \(i) does not fit in \(I.self).")
            )
        case .number(let d):
            if let result = I(exactly: d) { return result }
            throw DecodingError.dataCorrupted(
                .init(codingPath: path(), debugDescription: "Number \(d) is not representable as \(I.self).")
            )
        default:
            throw mismatch(I.self, value, path: path)
        }
    }

    static func decimal(_ value: JSONValue, path: () -> [any CodingKey]) throws -> Decimal {
        switch value {
        case .integer(let i): return Decimal(i)
        case .number(let d):
            // Through the shortest decimal text, so that 0.1 becomes exactly 0.1.
            return Decimal(string: d.description) ?? Decimal(d)
        default: throw mismatch(Decimal.self, value, path: path)
        }
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw Self.mismatch([String: JSONValue].self, value, path: { codingPath })
        }
        return KeyedDecodingContainer(
            JSONValueKeyedDecodingContainer<Key>(decoder: self, object: object, depth: depth, steps: [])
        )
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else {
            throw Self.mismatch([JSONValue].self, value, path: { codingPath })
        }
        return JSONValueUnkeyedDecodingContainer(decoder: self, array: array, depth: depth, steps: [])
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// A separate decoder for `child`, for `superDecoder()`.
    func makeSuperDecoder(_ child: JSONValue, codingPath: [any CodingKey]) -> JSONValueDecoderImpl {
        JSONValueDecoderImpl(value: child, codingPath: codingPath, userInfo: userInfo)
    }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try Self.bool(value, path: { codingPath }) }
    func decode(_ type: String.Type) throws -> String { try Self.string(value, path: { codingPath }) }
    func decode(_ type: Double.Type) throws -> Double { try Self.double(value, path: { codingPath }) }
    func decode(_ type: Float.Type) throws -> Float { try Self.float(value, path: { codingPath }) }
    func decode(_ type: Int.Type) throws -> Int { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: UInt.Type) throws -> UInt { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Self.integer(value, as: type, path: { codingPath }) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unbox(value, as: type) }
}

extension JSONValue {
    /// "a string", "an object", "null", … for error messages.
    fileprivate var typeDescriptionWithArticle: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
