/// Checks an HTTP server on loopback applies to what a browser or a rebinding DNS name could send it: is an
/// `Origin` or a `Host` one of this machine's names, and is a bearer token the expected one.
public enum LoopbackGuard {
    /// Whether `origin` (`scheme://host[:port]`) is this machine: localhost, 127.0.0.1 or [::1], any port.
    public static func isLoopback(origin: String) -> Bool {
        for prefix in ["http://localhost", "https://localhost", "http://127.0.0.1", "https://127.0.0.1", "http://[::1]", "https://[::1]"]
        where origin.hasPrefix(prefix) {
            let rest = origin.dropFirst(prefix.count)
            if rest.isEmpty || (rest.first == ":" && rest.count > 1 && rest.dropFirst().allSatisfy(\.isNumber)) { return true }
        }
        return false
    }

    /// Whether `authority` (a `Host` header: `host[:port]`) names this machine. A DNS name that resolves to
    /// 127.0.0.1 (rebinding) is not one of them.
    public static func isLoopback(authority: String) -> Bool {
        isLoopback(origin: "http://" + authority.lowercased())
    }

    /// Whether `given` equals `expected`, in time that depends only on their lengths (a secret is not
    /// guessed byte by byte from response times).
    public static func sameSecret(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
