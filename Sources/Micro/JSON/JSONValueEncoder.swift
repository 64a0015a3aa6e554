/// Encodes `Encodable` values straight into ``JSONValue`` trees, with no JSON text in between.
///
/// - `Date` becomes an ISO 8601 string in UTC (`2026-01-01T10:00:00Z`, with `.SSS`/`.SSSSSS` when it has
///   a fraction of a second; microsecond precision), `URL` its `absoluteString`, `Data` a Base64 string,
///   `Decimal` a number, and ``JSONValue`` itself is inserted unchanged.
/// - Integers of every width become ``JSONValue/integer(_:)``; an unsigned value above `Int.max` is an error.
/// - Non-finite `Double`/`Float` values are an `EncodingError.invalidValue`.
/// - `nil` is ``JSONValue/null``; synthesized `encodeIfPresent` omits the key.
/// - A value that asks for no container at all encodes as an empty object.
public struct JSONValueEncoder: Sendable {
    /// Handed to `Encodable` implementations as `encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// The JSON value of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONValueEncoderImpl(codingPath: [], userInfo: userInfo.mapValues { $0 as Any })
        return try encoder.encodeTopLevel(value)
    }
}
