/// An error raised while defining, resolving or calling a service. `code` says what kind of failure it is
/// (stable for programs and models); `message` says what was wrong and where.
public struct ServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. New codes may be added; switch with a default.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No such service, endpoint or tool.
        public static let notFound = Code(rawValue: "not_found")
        /// Arguments that do not match the endpoint's schema, or a request that cannot be decoded.
        public static let invalidArguments = Code(rawValue: "invalid_arguments")
        /// The handler reported a failure.
        public static let handlerFailed = Code(rawValue: "handler_failed")
        /// The call's deadline passed.
        public static let deadlineExceeded = Code(rawValue: "deadline_exceeded")
        /// The service is registered but no node can serve it.
        public static let unavailable = Code(rawValue: "unavailable")
        /// A service definition is invalid (bad name, underivable schema, duplicate endpoint).
        public static let invalidDefinition = Code(rawValue: "invalid_definition")
        /// Two tools would get the same name, or a name is taken.
        public static let conflict = Code(rawValue: "conflict")
        /// The request is well formed but the domain refuses it (no seats, insufficient funds, …).
        public static let rejected = Code(rawValue: "rejected")
        /// The node serving the service cannot be reached (connection refused, reset, no answer): a network
        /// transport's failure, worth retrying elsewhere.
        public static let unreachable = Code(rawValue: "unreachable")
        /// The node answered with something that is not a valid answer (not JSON, wrong shape, unknown status).
        public static let badResponse = Code(rawValue: "bad_response")
    }

    public var code: Code
    public var message: String
    /// Extra structured detail (for example the list of schema violations).
    public var details: JSONValue?

    public init(_ code: Code, _ message: String, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code): \(message)" }

    /// The error as a JSON object `{code, message, details?}`, as tools return it to a model.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["code": .string(code.rawValue), "message": .string(message)]
        if let details { object["details"] = details }
        return .object(object)
    }
}
