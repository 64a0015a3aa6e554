import CCurl

/// One libcurl easy handle and the state its callbacks keep. Touched only by the I/O thread; the
/// callbacks reach it through an unretained pointer, valid because the I/O loop holds the object until
/// after the handle is removed from the multi and cleaned up.
final class CurlEasy {
    let transfer: CurlTransfer
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The write callback returned `CURL_WRITEFUNC_PAUSE`: the consumer's buffer is full.
    var paused = false
    private var headDelivered = false
    private var status = 0
    private var headers: [(name: String, value: String)] = []

    /// Limits applied to the handle.
    struct Limits {
        var connectTimeoutMS: Int
        var idleTimeoutSeconds: Int
        var totalTimeoutMS: Int?
    }

    /// Makes and configures a handle for `transfer`; throws ``HTTPError`` if libcurl refuses the request.
    init(transfer: CurlTransfer, limits: Limits) throws {
        guard let handle = curl_easy_init() else { throw HTTPError(.transport, "curl_easy_init failed") }
        self.transfer = transfer
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        do {
            try configure(limits)
        } catch {
            release()
            throw error
        }
    }

    /// Frees the handle and what it points to. The handle must no longer be in a multi.
    func release() {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        errorBuffer.deallocate()
    }

    private func configure(_ limits: Limits) throws {
        let request = transfer.request
        func check(_ code: CURLcode) throws {
            guard code == CURLE_OK else {
                throw HTTPError(.invalidRequest, String(cString: curl_easy_strerror(code)))
            }
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(micro_curl_easy_setopt_string(handle, CURLOPT_URL, request.url))
        // HTTP only: a provider URL must never read a local file or speak another protocol.
        try check(micro_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        try check(micro_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(micro_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(micro_curl_easy_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        try check(micro_curl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        try check(micro_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeoutMS))
        if limits.idleTimeoutSeconds > 0 {
            try check(micro_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
            try check(micro_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, limits.idleTimeoutSeconds))
        }
        if let total = transfer.timeoutMS ?? limits.totalTimeoutMS {
            try check(micro_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(total, 1)))
        }
        try check(micro_curl_easy_setopt_write_callback(handle, curlWriteCallback))
        try check(micro_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        try check(micro_curl_easy_setopt_header_callback(handle, curlHeaderCallback))
        try check(micro_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context))

        let method = request.method.uppercased()
        switch method {
        case "GET" where request.body.isEmpty:
            try check(micro_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "HEAD" where request.body.isEmpty:
            try check(micro_curl_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
        default:
            if method != "POST" { try check(micro_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)) }
            if method == "POST" || !request.body.isEmpty {
                // libcurl copies the bytes (COPYPOSTFIELDS), so the request's array need not outlive this call.
                try check(micro_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
                if request.body.isEmpty {
                    try check(micro_curl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
                } else {
                    try check(request.body.withUnsafeBytes { bytes in
                        micro_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                    })
                }
            }
        }

        func append(_ line: String) throws {
            guard let next = curl_slist_append(headerList, line) else {
                throw HTTPError(.transport, "curl_slist_append failed")
            }
            headerList = next  // freed by release(), also when configuring fails midway
        }
        for header in request.headers {
            let name = header.name.trimmingSpaces
            // Bytes, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
            let breaksLine: (UInt8) -> Bool = { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") || $0 == 0 }
            guard !name.isEmpty, !name.utf8.contains(where: { breaksLine($0) || $0 == UInt8(ascii: ":") }),
                !header.value.utf8.contains(where: breaksLine)
            else {
                throw HTTPError(.invalidRequest, "invalid header field \(header.name.debugDescription)")
            }
            // "Name;" sends an empty value; "Name: " would remove the header instead.
            try append(header.value.isEmpty ? "\(name);" : "\(name): \(header.value)")
        }
        // No "Expect: 100-continue" round trip for large bodies unless the caller asks for one.
        if request.header("Expect") == nil { try append("Expect:") }
        // Nor libcurl's default form Content-Type for a body the caller did not label.
        if method != "GET", method != "HEAD", request.header("Content-Type") == nil { try append("Content-Type:") }
        try check(micro_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)))
    }

    // MARK: Callbacks (I/O thread)

    /// One header line (or the status line, or the blank line ending a header block).
    fileprivate func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        guard !headDelivered else { return }  // trailers of a chunked body
        var bytes = bytes[...]
        while let last = bytes.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: "\n") { bytes.removeLast() }
        let line = Substring(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new header block (after 1xx, or a followed redirect): keep only the last one.
            headers = []
            status = line.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        } else if line.isEmpty {
            if status >= 200 { deliverHead() }
        } else if line.first == " " || line.first == "\t" {
            if !headers.isEmpty { headers[headers.count - 1].value += " " + line.trimmingSpaces }
        } else if let colon = line.firstIndex(of: ":") {
            headers.append((String(line[..<colon]).trimmingSpaces, String(line[line.index(after: colon)...]).trimmingSpaces))
        }
    }

    /// A piece of the body: yields it, or pauses the transfer if the consumer's buffer is full.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if !headDelivered { deliverHead() }
        guard !bytes.isEmpty else { return 0 }
        switch transfer.body.yield(Array(bytes)) {
        case .enqueued:
            return bytes.count
        case .dropped:
            // The chunk was not taken; libcurl keeps it and hands it over again after unpausing.
            paused = true
            return micro_curl_writefunc_pause()
        case .terminated:
            return 0  // the consumer is gone: abort the transfer
        @unknown default:
            return 0
        }
    }

    /// The transfer is over (libcurl's `CURLMSG_DONE`).
    func complete(_ result: CURLcode) {
        if result == CURLE_OK {
            if !headDelivered { deliverHead() }
            transfer.finish(nil)
        } else {
            transfer.finish(error(for: result))
        }
    }

    private func deliverHead() {
        headDelivered = true
        if status == 0 {
            var code = 0
            _ = micro_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
            status = code
        }
        transfer.deliverHead((status, headers))
    }

    private func error(for result: CURLcode) -> HTTPError {
        let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(result)) : String(cString: errorBuffer)
        let message = "\(transfer.request.method) \(transfer.request.url): \(detail)"
        switch result {
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPError(.timedOut, message)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return HTTPError(.invalidRequest, message)
        case CURLE_WRITE_ERROR, CURLE_ABORTED_BY_CALLBACK:
            return HTTPError(.cancelled, message)
        case _ where headDelivered:
            return HTTPError(.interrupted, message)
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
            CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return HTTPError(.connectionFailed, message)
        default:
            return HTTPError(.transport, message)
        }
    }
}

private let curlWriteCallback: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let easy = Unmanaged<CurlEasy>.fromOpaque(context).takeUnretainedValue()
    return easy.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlHeaderCallback: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let easy = Unmanaged<CurlEasy>.fromOpaque(context).takeUnretainedValue()
    easy.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
