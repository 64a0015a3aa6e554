import Foundation

extension FileHandle {
    /// Reads this handle on a thread of its own (blocking reads, no dispatch source) until end of file,
    /// passing each chunk to `receive`, then calls `end`. Stops early when `receive` returns false.
    func readOnThread(name: String, _ receive: @escaping @Sendable ([UInt8]) -> Bool, end: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            while true {
                let data = availableData
                if data.isEmpty || !receive([UInt8](data)) { break }
            }
            end()
        }
        thread.name = name
        thread.start()
    }

    /// The bytes read from this handle, chunk by chunk, until end of file (read on a thread of its own).
    func chunks() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        readOnThread(name: "micro-stdin") { chunk in
            if case .terminated = continuation.yield(chunk) { return false }
            return true
        } end: {
            continuation.finish()
        }
        return stream
    }
}
