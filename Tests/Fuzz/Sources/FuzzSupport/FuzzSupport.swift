import Dispatch
import Synchronization

/// A broken invariant: traps with `message`, so libFuzzer records the input as a crash.
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz invariant broken: \(message())") }
}

/// Runs `body` to completion on the concurrency runtime's executor and returns its value, blocking the calling
/// (libFuzzer's, not a cooperative pool) thread meanwhile.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let result = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await body()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}

/// The fuzz input as bytes, with a few leading bytes optionally taken as choices (chunk sizes, modes).
public struct FuzzInput {
    public var bytes: UnsafeBufferPointer<UInt8>

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: size)
    }

    /// Takes the first byte (0 when there is none) off the input.
    public mutating func takeByte() -> UInt8 {
        guard let first = bytes.first else { return 0 }
        bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst())
        return first
    }
}

/// `bytes` cut into pieces of `size` bytes (the last may be shorter), as a network delivers them.
public func chunks(_ bytes: UnsafeBufferPointer<UInt8>, size: Int) -> [[UInt8]] {
    let size = max(1, size)
    return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}
