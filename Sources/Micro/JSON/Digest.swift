/// Short, stable digests of bytes: for keys and tags derived from content (idempotency keys of calls that
/// carry none, cache validators), never for security.
public enum Digest {
    /// FNV-1a, 64 bits, as lowercase hex without leading zeros.
    public static func fnv1a64<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
