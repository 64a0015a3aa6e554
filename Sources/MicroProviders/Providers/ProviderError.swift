import Foundation
import Micro
import MicroAgent

/// Maps provider failures (HTTP error responses, in-stream error events, transport errors) to ``ModelError``.
enum ProviderError {
    /// An HTTP error response: status, headers and the (small) body the provider sent.
    ///
    /// The body is read as any of the documented shapes — OpenAI `{"error":{"message","type","code"}}`,
    /// Anthropic `{"type":"error","error":{"type","message"}}`, Gemini `{"error":{"code","message","status",
    /// "details":[RetryInfo]}}`, Ollama `{"error":"…"}` — or kept as text. `now` resolves an HTTP-date
    /// `retry-after`.
    static func http(
        status: Int, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> ModelError {
        let (message, type, retryDelay) = describe(body)
        let code: ModelError.Code =
            switch status {
            case 429: .rateLimited
            case 401, 403: .authentication
            case 529, 500...599: .overloaded
            default: Self.code(forType: type, message: message) ?? .invalidRequest
            }
        let retryAfter = retryAfter(headers: headers, now: now) ?? retryDelay
        return ModelError(
            code, message.isEmpty ? "HTTP \(status)" : message, status: status, providerType: type,
            retryAfter: retryAfter)
    }

    /// An error reported inside a stream (an SSE `error` event, a JSON `error` member). The request was
    /// accepted, so an error type that implies no other code counts as ``ModelError/Code/overloaded``.
    static func inStream(_ value: JSONValue) -> ModelError {
        let (message, type, retryDelay) = describe(value)
        return ModelError(
            code(forType: type, message: message) ?? .overloaded, message.isEmpty ? "error event" : message,
            providerType: type, retryAfter: retryDelay)
    }

    /// A failure of the transport or a thrown error from below; cancellation passes through unchanged.
    static func wrap(_ error: any Error) -> any Error {
        switch error {
        case is ModelError, is CancellationError: error
        case let http as HTTPError where http.code == .cancelled: CancellationError()
        case let http as HTTPError: ModelError(.transport, http.description)
        case let json as JSONParseError: ModelError(.malformedResponse, "invalid JSON in stream: \(json)")
        case let line as NDJSONError: ModelError(.malformedResponse, line.description)
        case let limit as StreamLimitError: ModelError(.malformedResponse, limit.description)
        default: ModelError(.transport, "\(error)")
        }
    }

    /// The code an error type or message implies, if it implies one.
    static func code(forType type: String?, message: String) -> ModelError.Code? {
        let lowered = message.lowercased()
        let contextWording = [
            "context length", "context_length", "context window", "maximum context", "prompt is too long",
            "too many tokens", "exceeds the maximum number of tokens", "input token count", "reduce the length",
        ]
        if contextWording.contains(where: lowered.contains) { return .contextLengthExceeded }
        switch type?.lowercased() {
        case "rate_limit_error", "rate_limit_exceeded", "resource_exhausted", "tokens", "requests": return .rateLimited
        case "overloaded_error", "api_error", "server_error", "unavailable", "internal": return .overloaded
        case "authentication_error", "permission_error", "unauthenticated", "permission_denied",
            "invalid_api_key":
            return .authentication
        case "context_length_exceeded": return .contextLengthExceeded
        case "invalid_request_error", "invalid_argument", "not_found_error", "failed_precondition",
            "request_too_large":
            return .invalidRequest
        default: return nil
        }
    }

    /// `retry-after-ms` (milliseconds), then `retry-after` (seconds or an HTTP-date).
    static func retryAfter(headers: [(name: String, value: String)], now: Date) -> Duration? {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value.trimmingCharacters(in: .whitespaces)
        }
        if let ms = header("retry-after-ms").flatMap(Double.init), ms >= 0 {
            return .milliseconds(Int64(ms.rounded(.up)))
        }
        guard let value = header("retry-after") else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded(.up))) }
        if let date = httpDate(value) {
            let ms = max(0, (date.timeIntervalSince(now) * 1000).rounded(.up))
            return .milliseconds(Int64(ms))
        }
        return nil
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }

    /// A Gemini/protobuf duration such as `"37s"` or `"1.5s"`.
    static func protobufDuration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds >= 0 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    private static func describe(_ body: [UInt8]) -> (String, String?, Duration?) {
        if let value = try? JSONValue(parsing: body) { return describe(value) }
        let text = String(decoding: body.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (text, nil, nil)
    }

    private static func describe(_ value: JSONValue) -> (String, String?, Duration?) {
        let error = value["error"] ?? value
        if let text = error.stringValue { return (text, nil, nil) }
        let message = error["message"]?.stringValue ?? ""
        let type =
            error["type"]?.stringValue ?? error["status"]?.stringValue ?? error["code"]?.stringValue
            ?? value["type"]?.stringValue.flatMap { $0 == "error" ? nil : $0 }
        var delay: Duration?
        for detail in error["details"]?.arrayValue ?? [] where detail["@type"]?.stringValue?.hasSuffix("RetryInfo") == true {
            delay = detail["retryDelay"]?.stringValue.flatMap(protobufDuration)
        }
        return (message, type, delay)
    }
}
