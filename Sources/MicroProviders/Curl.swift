import CCurl

/// Process-wide libcurl facts and set-up. All HTTP client traffic in Micro goes through libcurl.
public enum Curl {
    /// libcurl's global initialisation, done once before the first handle is made.
    static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// For example `libcurl 7.88.1 (OpenSSL/3.0.15)`.
    public static var versionDescription: String {
        _ = globalInit
        guard let info = micro_curl_version_info()?.pointee else { return "libcurl (unknown)" }
        let version = info.version.map { String(cString: $0) } ?? "?"
        let ssl = info.ssl_version.map { String(cString: $0) }
        return "libcurl \(version)" + (ssl.map { " (\($0))" } ?? "")
    }

    /// The protocols this libcurl build speaks (for example `http`, `https`).
    public static var protocols: [String] {
        _ = globalInit
        guard let info = micro_curl_version_info()?.pointee, var cursor = info.protocols else { return [] }
        var names: [String] = []
        while let name = cursor.pointee {
            names.append(String(cString: name))
            cursor += 1
        }
        return names
    }

    /// Escapes `text` for use in a URL query (percent-encoding), through a real libcurl handle.
    public static func escape(_ text: String) -> String? {
        _ = globalInit
        guard let handle = curl_easy_init() else { return nil }
        defer { curl_easy_cleanup(handle) }
        guard let escaped = curl_easy_escape(handle, text, Int32(text.utf8.count)) else { return nil }
        defer { curl_free(escaped) }
        return String(cString: escaped)
    }
}
