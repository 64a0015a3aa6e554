/// Decodes `Decodable` values straight from ``JSONValue`` trees, with no JSON text in between.
///
/// The mirror of ``JSONValueEncoder``: `Date` from an ISO 8601 string (with or without a fraction of a
/// second, `Z` or a `±HH:MM` offset), `URL` from a string, `Data` from Base64, `Decimal` from a number, and
/// ``JSONValue`` itself unchanged. Integer types accept ``JSONValue/integer(_:)`` and integral
/// ``JSONValue/number(_:)`` values in range; `Double` and `Float` accept both kinds of number.
/// Errors are the standard `DecodingError`s, with the coding path of the offending value.
public struct JSONValueDecoder: Sendable {
    /// Handed to `Decodable` implementations as `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// A value of `type` decoded from `value`.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let decoder = JSONValueDecoderImpl(value: value, codingPath: [], userInfo: userInfo.mapValues { $0 as Any })
        return try decoder.unbox(value, as: T.self)
    }
}
