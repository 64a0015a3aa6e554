import Foundation

/// Removes secrets from requests and responses before they are written to a cassette.
///
/// - Header values of ``headerNames`` (case-insensitive) become ``placeholder``.
/// - Query parameters named in ``queryParameters`` (case-insensitive) get ``placeholder`` as their value;
///   replay matching leaves them out.
/// - Every match of ``patterns`` (regular expressions) in bodies, header values and URLs becomes ``placeholder``.
public struct Redactor: Sendable {
    /// What a secret is replaced with.
    public static let placeholder = "<redacted>"

    public static let defaultHeaderNames: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie", "set-cookie",
    ]
    public static let defaultQueryParameters: Set<String> = ["key", "api_key", "apikey", "access_token"]
    /// OpenAI/Anthropic-style keys, Google API keys, bearer tokens.
    public static let defaultPatterns = [
        #"sk-[A-Za-z0-9_-]{16,}"#,
        #"AIza[0-9A-Za-z_-]{30,}"#,
        #"[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}"#,
    ]

    /// Lowercased header names whose values are replaced.
    public let headerNames: Set<String>
    /// Lowercased query parameter names whose values are replaced.
    public let queryParameters: Set<String>
    /// The regular expressions applied to bodies, header values and URLs.
    public let patterns: [String]
    private let expressions: [NSRegularExpression]

    /// Throws when a pattern is not a valid regular expression.
    public init(
        headerNames: Set<String> = Redactor.defaultHeaderNames,
        queryParameters: Set<String> = Redactor.defaultQueryParameters,
        patterns: [String] = Redactor.defaultPatterns
    ) throws {
        self.headerNames = Set(headerNames.map { $0.lowercased() })
        self.queryParameters = Set(queryParameters.map { $0.lowercased() })
        self.patterns = patterns
        expressions = try patterns.map { try NSRegularExpression(pattern: $0) }
    }

    /// The default rules.
    public static let standard: Redactor = {
        guard let redactor = try? Redactor() else { preconditionFailure("the default redaction patterns compile") }
        return redactor
    }()

    /// Whether query parameter `name` is a secret (and so ignored when matching).
    public func isSecretParameter(_ name: String) -> Bool {
        queryParameters.contains(name.lowercased())
    }

    /// `text` with every pattern match replaced.
    public func redact(text: String) -> String {
        guard !expressions.isEmpty, !text.isEmpty else { return text }
        var result = text
        for expression in expressions {
            let range = NSRange(result.startIndex..., in: result)
            result = expression.stringByReplacingMatches(in: result, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: Self.placeholder))
        }
        return result
    }

    /// `bytes` with every pattern match replaced; bytes that are not UTF-8 are returned unchanged.
    public func redact(bytes: [UInt8]) -> [UInt8] {
        guard !expressions.isEmpty, let text = String(validating: bytes, as: UTF8.self) else { return bytes }
        let redacted = redact(text: text)
        return redacted == text ? bytes : Array(redacted.utf8)
    }

    /// A streamed body's chunks with every pattern match replaced, including matches split across chunks.
    ///
    /// The body is redacted as a whole; each placeholder goes into the chunk where its match began, and the
    /// chunks a match spans lose the rest of it (they may become empty). The number of chunks is kept. When
    /// the whole body is not UTF-8, each chunk is redacted on its own.
    public func redact(chunks: [[UInt8]]) -> [[UInt8]] {
        guard !expressions.isEmpty, chunks.count > 1 else { return chunks.map { redact(bytes: $0) } }
        var bytes = Array(chunks.joined())
        guard String(validating: bytes, as: UTF8.self) != nil else { return chunks.map { redact(bytes: $0) } }
        var ends: [Int] = []
        var total = 0
        for chunk in chunks {
            total += chunk.count
            ends.append(total)
        }
        let placeholder = Array(Self.placeholder.utf8)
        for expression in expressions {
            let text = String(decoding: bytes, as: UTF8.self)
            let matches = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
            for match in matches.reversed() {
                guard let range = Range(match.range, in: text) else { continue }
                let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
                let end = text.utf8.distance(from: text.startIndex, to: range.upperBound)
                bytes.replaceSubrange(start..<end, with: placeholder)
                for k in ends.indices {
                    if ends[k] > end {
                        ends[k] += placeholder.count - (end - start)
                    } else if ends[k] > start {
                        ends[k] = start + placeholder.count
                    }
                }
            }
        }
        var start = 0
        return ends.map { end in
            defer { start = end }
            return Array(bytes[start..<end])
        }
    }

    /// Headers with secret names replaced and patterns redacted in every value.
    public func redact(headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers.map { header in
            headerNames.contains(header.name.lowercased())
                ? (header.name, Self.placeholder) : (header.name, redact(text: header.value))
        }
    }

    /// `url` with secret query parameter values replaced and patterns redacted.
    public func redact(url: String) -> String {
        var url = url
        var fragment = ""
        if let hash = url.firstIndex(of: "#") {
            fragment = String(url[hash...])
            url = String(url[..<hash])
        }
        if let question = url.firstIndex(of: "?") {
            let query = url[url.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { item in
                let name = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                return isSecretParameter(String(name)) ? "\(name)=\(Self.placeholder)" : String(item)
            }
            url = url[...question] + query.joined(separator: "&")
        }
        return redact(text: url + fragment)
    }
}
