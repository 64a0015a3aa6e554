/// Descriptions for a type's derived schema (``JSONSchema/derive(from:)``): models read them to decide what
/// to send, so describe units, formats and intent.
///
/// ```swift
/// struct BookHotel: Decodable, SchemaDescribing {
///     let city: String
///     let nights: Int
///     static let schemaDescription: String? = "Books a hotel room."
///     static let fieldDescriptions = ["nights": "Number of nights, at least 1."]
/// }
/// ```
public protocol SchemaDescribing {
    /// The `description` of the type's schema.
    static var schemaDescription: String? { get }
    /// Per-property descriptions, keyed by JSON member name (the coding key's `stringValue`). A name that is
    /// not a property of the derived schema is a derivation error, so typos surface at registration.
    static var fieldDescriptions: [String: String] { get }
}

extension SchemaDescribing {
    public static var schemaDescription: String? { nil }
    public static var fieldDescriptions: [String: String] { [:] }
}
