import CCurl
import Dispatch
import Foundation
import Synchronization

/// A libcurl multi handle driven by one dedicated I/O thread.
///
/// Tasks never touch libcurl handles: they queue commands (start, cancel) under a `Mutex` and wake the
/// thread with `curl_multi_wakeup`. The thread owns the multi handle and every easy handle, runs
/// `curl_multi_perform`/`curl_multi_poll`, and reports heads, chunks and ends through ``CurlTransfer``.
final class CurlMulti: Sendable {
    private struct Shared {
        /// The multi handle is alive (cleared by the I/O thread just before freeing it).
        var live = true
        var starts: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        var stopping = false
    }

    private let shared = Mutex(Shared())
    /// The multi handle's address. Only the I/O thread uses the handle, except `curl_multi_wakeup`
    /// (thread-safe), called under `shared`'s lock while `live`.
    private let multiAddress: UInt
    private let exited = DispatchSemaphore(value: 0)
    private let limits: CurlEasy.Limits
    /// How long a paused transfer waits before its chunk is offered to the consumer again.
    private static let pauseRetryMS: Int32 = 5

    init(limits: CurlEasy.Limits) {
        _ = Curl.globalInit
        self.limits = limits
        multiAddress = UInt(bitPattern: curl_multi_init())
        if multiAddress == 0 {
            shared.withLock {
                $0.live = false
                $0.stopping = true
            }
            exited.signal()
            return
        }
        let thread = Thread { [self] in
            runLoop()
            exited.signal()
        }
        thread.name = "micro.curl"
        thread.start()
    }

    /// Wakes the I/O thread; call with `shared` locked.
    private func wake(_ shared: borrowing Shared) {
        if shared.live, let multi = UnsafeMutableRawPointer(bitPattern: multiAddress) { curl_multi_wakeup(multi) }
    }

    /// Queues `transfer` to start on the I/O thread. Fails it if the transport is shut down.
    func start(_ transfer: CurlTransfer) {
        let accepted = shared.withLock { shared in
            guard !shared.stopping else { return false }
            shared.starts.append(transfer)
            wake(shared)
            return true
        }
        if !accepted { transfer.finish(HTTPError(.cancelled, "the transport was shut down")) }
    }

    /// Ends `transfer` with `.cancelled` and has the I/O thread remove and free its handle.
    func cancel(_ transfer: CurlTransfer) {
        guard transfer.finish(HTTPError(.cancelled, "the request was cancelled")) else { return }
        shared.withLock { shared in
            guard !shared.stopping else { return }
            shared.cancels.append(transfer)
            wake(shared)
        }
    }

    /// Stops the I/O thread, cancelling every transfer still running, and waits for it to exit.
    func shutdown() {
        shared.withLock { shared in
            guard !shared.stopping else { return }
            shared.stopping = true
            wake(shared)
        }
        // A shutdown reached from the I/O thread itself cannot wait for it; the loop ends right after.
        guard !Thread.current.isCurlIOThread else { return }
        exited.wait()
        exited.signal()  // every later or concurrent caller gets through too
    }

    // MARK: The I/O thread

    private func runLoop() {
        Thread.current.isCurlIOThread = true
        guard let multi = UnsafeMutableRawPointer(bitPattern: multiAddress) else { return }

        var easies: [UnsafeMutableRawPointer: CurlEasy] = [:]
        var byTransfer: [ObjectIdentifier: CurlEasy] = [:]

        func remove(_ easy: CurlEasy) {
            curl_multi_remove_handle(multi, easy.handle)
            easies[easy.handle] = nil
            byTransfer[ObjectIdentifier(easy.transfer)] = nil
            easy.release()
        }

        while true {
            let (starts, cancels, stopping) = shared.withLock { shared in
                defer {
                    shared.starts = []
                    shared.cancels = []
                }
                return (shared.starts, shared.cancels, shared.stopping)
            }
            if stopping { break }
            for transfer in starts where !transfer.isFinished {
                do {
                    let easy = try CurlEasy(transfer: transfer, limits: limits)
                    let code = curl_multi_add_handle(multi, easy.handle)
                    guard code == CURLM_OK else {
                        easy.release()
                        transfer.finish(HTTPError(.transport, String(cString: curl_multi_strerror(code))))
                        continue
                    }
                    easies[easy.handle] = easy
                    byTransfer[ObjectIdentifier(transfer)] = easy
                } catch {
                    transfer.finish(error)
                }
            }
            for transfer in cancels {
                if let easy = byTransfer[ObjectIdentifier(transfer)] { remove(easy) }
            }
            // Paused transfers offer their held chunk again; it is re-paused if the buffer is still full.
            for easy in easies.values where easy.paused {
                easy.paused = false
                _ = micro_curl_easy_unpause(easy.handle)
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let easy = easies[handle]
                else { continue }
                let result = message.pointee.data.result
                easy.complete(result)  // reads the handle's info and error buffer: before freeing them
                remove(easy)
            }

            let anyPaused = easies.values.contains { $0.paused }
            curl_multi_poll(multi, nil, 0, anyPaused ? Self.pauseRetryMS : 1000, nil)
        }

        for easy in Array(easies.values) {
            remove(easy)
            easy.transfer.finish(HTTPError(.cancelled, "the transport was shut down"))
        }
        shared.withLock { shared in
            for transfer in shared.starts { transfer.finish(HTTPError(.cancelled, "the transport was shut down")) }
            shared.starts = []
            shared.cancels = []
            shared.live = false
        }
        curl_multi_cleanup(multi)
    }
}

extension Thread {
    /// Marks the transport's I/O thread, so a shutdown started from it does not wait for itself.
    fileprivate var isCurlIOThread: Bool {
        get { threadDictionary["micro.curl.io"] != nil }
        set { threadDictionary["micro.curl.io"] = newValue ? true : nil }
    }
}
