import Micro

/// A 16-byte trace id, written as 32 lowercase hex digits (as OTLP/JSON and W3C `traceparent` write it).
public struct TraceID: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The id derived from `key`: the same key gives the same id on every run and machine, so a replayed run
    /// exports the same trace. Never all zeros (an invalid id).
    public init(derivedFrom key: String) {
        bytes = StableHash.bytes(of: "micro.trace\u{0}" + key, count: 16)
    }

    public var description: String { Hex.string(bytes) }
}

/// An 8-byte span id, written as 16 lowercase hex digits.
public struct SpanID: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The id of the span `key` names within trace `trace`: stable across runs, never all zeros.
    public init(derivedFrom key: String, in trace: TraceID) {
        bytes = StableHash.bytes(of: "micro.span\u{0}" + trace.description + "\u{0}" + key, count: 8)
    }

    public var description: String { Hex.string(bytes) }
}

/// Deterministic bytes from a string: FNV-1a 64 over the text and a block counter, each block mixed with the
/// SplitMix64 finalizer so nearby keys (`span:12`, `span:13`) give unrelated ids. Not cryptographic: ids need
/// to be stable and spread, not secret.
enum StableHash {
    static func bytes(of text: String, count: Int) -> [UInt8] {
        var output: [UInt8] = []
        var block: UInt64 = 0
        while output.count < count {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in Array(text.utf8) + withUnsafeBytes(of: block.littleEndian, Array.init) {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            var mixed = hash &+ 0x9e37_79b9_7f4a_7c15
            mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
            mixed ^= mixed >> 31
            output += withUnsafeBytes(of: mixed.bigEndian, Array.init)
            block += 1
        }
        output = Array(output.prefix(count))
        if output.allSatisfy({ $0 == 0 }) { output[count - 1] = 1 }
        return output
    }
}

enum Hex {
    static func string(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }
}
