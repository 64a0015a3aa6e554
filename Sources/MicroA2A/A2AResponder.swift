import HTTPTypes
import Hummingbird
import Micro
import MicroProviders
import NIOCore

/// The HTTP side of ``A2AServer``: the card, and JSON-RPC requests checked and dispatched.
struct A2AResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: A2AServer
    let core: A2AServerCore

    static let versionHeader = HTTPField.Name(A2AVersion.header)!
    static let cardPaths: Set<String> = ["/.well-known/agent-card.json", "/.well-known/agent.json"]

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let path = request.uri.path
        if let origin = request.headers[.origin], !server.allowedOrigins.contains(origin), !LoopbackGuard.isLoopback(origin: origin) {
            return Self.plain(.forbidden, "Origin \(origin) is not allowed")
        }
        let authority = request.head.authority ?? "\(server.host):\(server.port)"
        guard server.allowedHosts.contains(authority.lowercased()) || LoopbackGuard.isLoopback(authority: authority) else {
            return Self.plain(.forbidden, "Host \(authority) is not allowed (not a loopback name)")
        }
        if Self.cardPaths.contains(path) {
            guard request.method == .get || request.method == .head else { return Self.plain(.methodNotAllowed, "use GET") }
            let url = server.publicURL ?? "http://\(authority)/"
            // A 1.0 card, unless an older client asks: the 0.3 path, or A2A-Version 0.3.
            let legacy = path == "/.well-known/agent.json" || A2AVersion(header: request.headers[Self.versionHeader]) == .v0_3
                && request.headers[Self.versionHeader] != nil
            let card = server.card(url: url)
            return Self.cached(
                legacy ? card.json : card.jsonV1, modified: core.cardModified, ifNoneMatch: request.headers[.ifNoneMatch],
                ifModifiedSince: request.headers[.ifModifiedSince])
        }
        if let token = server.token, !LoopbackGuard.sameSecret(request.headers[.authorization] ?? "", "Bearer \(token)") {
            var response = Self.plain(.unauthorized, "a bearer token is required")
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        guard path == "/" else { return await rest(request, path: path) }
        guard request.method == .post else { return Self.plain(.methodNotAllowed, "JSON-RPC requests are POSTed to /") }
        guard Self.isJSON(request.headers[.contentType]) else {
            return Self.rpc(
                .error(.contentTypeNotSupported(Self.contentTypeMessage(request.headers[.contentType])), id: nil),
                status: .unsupportedMediaType)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: server.maximumBodySize)
        } catch {
            return Self.plain(.contentTooLarge, "the request body passed \(server.maximumBodySize) bytes")
        }
        let bytes = Array(buffer: body)
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            return Self.rpc(.error(.parseError("invalid JSON: \(error)"), id: nil))
        }
        if value.arrayValue != nil { return Self.rpc(.error(.invalidRequest("batch requests are not supported"), id: nil)) }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(value)
        } catch {
            return Self.rpc(.error(error, id: value["id"].flatMap(JSONRPCID.init)))
        }
        guard case .request(let id, let method, let params) = message else {
            return Self.rpc(.error(.invalidRequest("A2A takes requests with an id and a method"), id: nil))
        }
        do {
            let header = request.headers[Self.versionHeader]
            guard let version = A2AVersion(header: header, method: method) else {
                throw JSONRPCError.versionNotSupported("A2A-Version \(header ?? "") is not supported; use 1.0 or 0.3")
            }
            return try await dispatch(method: method, params: params, id: id, version: version)
        } catch let error as JSONRPCError {
            return Self.rpc(.error(error, id: id))
        } catch {
            core.logger.error("A2A \(method) failed: \(error)")
            return Self.rpc(.error(.internalError("\(method) failed: \(error)"), id: id))
        }
    }

    // MARK: Dispatch

    private static let methods: [String: (A2AVersion, Method)] = [
        "SendMessage": (.v1_0, .send), "SendStreamingMessage": (.v1_0, .stream), "GetTask": (.v1_0, .get),
        "ListTasks": (.v1_0, .list), "CancelTask": (.v1_0, .cancel), "SubscribeToTask": (.v1_0, .subscribe),
        "message/send": (.v0_3, .send), "message/stream": (.v0_3, .stream), "tasks/get": (.v0_3, .get),
        "tasks/cancel": (.v0_3, .cancel), "tasks/resubscribe": (.v0_3, .subscribe),
    ]
    private static let pushMethods: Set<String> = [
        "CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig", "ListTaskPushNotificationConfigs",
        "DeleteTaskPushNotificationConfig", "tasks/pushNotificationConfig/set", "tasks/pushNotificationConfig/get",
        "tasks/pushNotificationConfig/list", "tasks/pushNotificationConfig/delete",
    ]

    enum Method { case send, stream, get, list, cancel, subscribe }

    /// What an operation answers, before a binding frames it: a value, or a stream of task events.
    enum Outcome {
        case value(JSONValue)
        case stream(first: A2AStreamEvent, updates: AsyncStream<A2ATaskHub.Update>?)
    }

    private func dispatch(method name: String, params: JSONValue?, id: JSONRPCID, version header: A2AVersion) async throws
        -> Response
    {
        if Self.pushMethods.contains(name) { throw JSONRPCError.pushNotificationNotSupported() }
        if name == "GetExtendedAgentCard" || name == "agent/getAuthenticatedExtendedCard" {
            throw JSONRPCError.extendedAgentCardNotConfigured()
        }
        guard let (family, method) = Self.methods[name] else { throw JSONRPCError.methodNotFound(name) }
        if family == .v1_0 && header != .v1_0 {
            throw JSONRPCError.versionNotSupported(
                "\(name) is an A2A 1.0 method and this request is 0.3 (no A2A-Version header); send A2A-Version: 1.0")
        }
        let params = params ?? .object([:])
        guard params.objectValue != nil else { throw JSONRPCError.invalidParams("params must be an object") }
        switch try await perform(method, params, version: family) {
        case .value(let value): return Self.rpc(.result(value, id: id))
        case .stream(let first, let updates):
            return Self.sse(first: first, updates: updates) { JSONRPCMessage.result(A2AWire.encode($0, family), id: id).json }
        }
    }

    /// Runs one operation with its params (an object) in `version`'s wire shapes.
    func perform(_ method: Method, _ params: JSONValue, version: A2AVersion) async throws -> Outcome {
        let params = A2AWire.camelCased(params)
        switch method {
        case .send: return try await send(params, version: version, streaming: false)
        case .stream: return try await send(params, version: version, streaming: true)
        case .get: return .value(try await get(params, version: version))
        case .list: return .value(try await list(params))
        case .cancel: return .value(try await cancel(params, version: version))
        case .subscribe: return try await subscribe(params)
        }
    }

    // MARK: Methods

    private func send(_ params: JSONValue, version: A2AVersion, streaming: Bool) async throws -> Outcome {
        guard let rawMessage = params["message"] else { throw JSONRPCError.invalidParams("params.message is required") }
        var message = try A2AWire.decodeMessage(rawMessage, at: "params.message")
        let configuration = params["configuration"]
        let historyLength = try Self.optionalInt(configuration?["historyLength"], "params.configuration.historyLength")
        let returnImmediately =
            configuration?["returnImmediately"]?.boolValue ?? configuration?["blocking"]?.boolValue.map { !$0 } ?? false
        let environment = core.environment
        var task: A2ATask
        let job: A2ATaskExecutor.Job?
        if let taskID = message.taskID {
            guard var existing = try await core.tasks.task(taskID) else { throw JSONRPCError.taskNotFound(taskID) }
            if let contextID = message.contextID, contextID != existing.contextID {
                throw JSONRPCError.invalidParams("params.message.contextId \(contextID) is not the context of task \(taskID)")
            }
            // Claiming the task first makes a second follow-up, sent while the first resumes the run, fail cleanly.
            guard existing.state == .inputRequired, core.hub.claim(taskID) else {
                throw JSONRPCError.unsupportedOperation(
                    "task \(taskID) is \(existing.state.rawValue); only a task waiting for input takes a follow-up message")
            }
            message.contextID = existing.contextID
            existing.history.append(message)
            existing.state = .submitted
            existing.statusMessage = nil
            existing.updatedAt = environment.now()
            do {
                try await core.tasks.save(existing)
            } catch {
                core.hub.settle(taskID, settled: nil, endsWatchers: false)
                throw error
            }
            task = existing
            job = .resume(existing, input: core.presentation.input(message))
        } else {
            let taskID = environment.ids.next("task")
            message.taskID = taskID
            message.contextID = message.contextID ?? environment.ids.next("ctx")
            let fresh = A2ATask(
                id: taskID, contextID: message.contextID!, state: .submitted, updatedAt: environment.now(), history: [message],
                runID: taskID)
            let (stored, created) = try await core.tasks.create(fresh, messageID: server.deduplicatesMessages ? message.messageID : nil)
            task = stored
            job = created && core.hub.claim(taskID) ? .start(fresh, input: core.presentation.input(message)) : nil
            if !created { task = try await core.tasks.task(task.id) ?? task }
        }
        // Following before queueing the job: no event is missed. Nil when nothing drives the task (a message
        // sent again for a task that has settled).
        let updates = core.hub.follow(task.id)
        if let job { core.enqueue(job) }
        if streaming { return .stream(first: .task(task), updates: updates) }
        if !returnImmediately, let updates {
            if let settled = await Self.settled(updates) {
                task = settled
            } else {
                task = try await core.tasks.task(task.id) ?? task
            }
        }
        if let reply = task.reply, task.state == .completed {
            // The agent answered with a message: that is the result, not the task.
            return .value(version == .v1_0 ? ["message": A2AWire.encode(reply, version)] : A2AWire.encode(reply, version))
        }
        return .value(A2AWire.encodeSendResult(task, version, historyLength: historyLength))
    }

    private func get(_ params: JSONValue, version: A2AVersion) async throws -> JSONValue {
        let task = try await existingTask(params)
        let historyLength = try Self.optionalInt(params["historyLength"], "params.historyLength")
        return A2AWire.encode(task, version, historyLength: historyLength)
    }

    private func list(_ params: JSONValue) async throws -> JSONValue {
        let pageSize = try Self.optionalInt(params["pageSize"], "params.pageSize") ?? 50
        guard (1...100).contains(pageSize) else { throw JSONRPCError.invalidParams("params.pageSize must be 1 to 100, not \(pageSize)") }
        var offset = 0
        if let token = params["pageToken"]?.stringValue, !token.isEmpty {
            guard let parsed = Int(token), parsed >= 0 else { throw JSONRPCError.invalidParams("params.pageToken \(token) is not a page token") }
            offset = parsed
        }
        var state: A2ATaskState?
        if let raw = params["status"]?.stringValue, raw != "TASK_STATE_UNSPECIFIED" {
            guard let parsed = A2ATaskState(wire: raw) else { throw JSONRPCError.invalidParams("params.status \(raw) is not a task state") }
            state = parsed
        }
        let contextID = params["contextId"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let historyLength = try Self.optionalInt(params["historyLength"], "params.historyLength")
        let includeArtifacts = params["includeArtifacts"]?.boolValue ?? false
        let matching = try await core.tasks.all()
            .filter { task in (state == nil || task.state == state) && (contextID == nil || task.contextID == contextID) }
            .sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
        let page = matching.dropFirst(offset).prefix(pageSize)
        let next = offset + page.count < matching.count ? String(offset + page.count) : ""
        return [
            "tasks": .array(page.map { A2AWire.encode($0, .v1_0, historyLength: historyLength ?? 0, includeArtifacts: includeArtifacts) }),
            "nextPageToken": .string(next), "pageSize": .integer(pageSize), "totalSize": .integer(matching.count),
        ]
    }

    private func cancel(_ params: JSONValue, version: A2AVersion) async throws -> JSONValue {
        var task = try await existingTask(params)
        guard !task.state.isTerminal else { throw JSONRPCError.taskNotCancelable(task.id, state: task.state) }
        if let updates = core.hub.follow(task.id, cancel: true) {
            if let settled = await Self.settled(updates) {
                task = settled
            } else {
                task = try await core.tasks.task(task.id) ?? task
            }
        } else if core.hub.claim(task.id) {
            // Nothing drives the task (it waits for input): it is canceled here, claimed so that a follow-up
            // arriving meanwhile is refused rather than resuming the run.
            task = try await core.tasks.task(task.id) ?? task
            guard !task.state.isTerminal else {
                core.hub.settle(task.id, settled: nil)
                throw JSONRPCError.taskNotCancelable(task.id, state: task.state)
            }
            task.state = .canceled
            task.statusMessage = nil
            task.updatedAt = core.environment.now()
            await core.save(task, events: [.status(taskID: task.id, contextID: task.contextID, state: .canceled, message: nil, final: true)])
            await core.recordCancel(task)
            core.hub.settle(task.id, settled: task)
        } else {
            // A follow-up claimed the task between the two looks: cancel the run it started.
            return try await cancel(params, version: version)
        }
        return A2AWire.encode(task, version)
    }

    private func subscribe(_ params: JSONValue) async throws -> Outcome {
        let taskID = try await existingTask(params).id
        // Watching before reading the task again: no event between the two is missed.
        let updates = core.hub.watch(taskID)
        let task = try await existingTask(params)
        guard !task.state.isTerminal else {
            throw JSONRPCError.unsupportedOperation("task \(task.id) is \(task.state.rawValue); there is nothing to follow")
        }
        return .stream(first: .task(task), updates: updates)
    }

    /// Waits for the end of a task's updates; returns the task as it settled, if it did.
    private static func settled(_ updates: AsyncStream<A2ATaskHub.Update>) async -> A2ATask? {
        var settled: A2ATask?
        for await update in updates {
            if case .settled(let task) = update { settled = task }
        }
        return settled
    }

    private func existingTask(_ params: JSONValue) async throws -> A2ATask {
        guard let taskID = params["id"]?.stringValue, !taskID.isEmpty else {
            throw JSONRPCError.invalidParams("params.id must be a task id (a non-empty string)")
        }
        guard let task = try await core.tasks.task(taskID) else { throw JSONRPCError.taskNotFound(taskID) }
        return task
    }

    // MARK: Responses

    /// An SSE response: `first`, then the events in `updates` until the task settles, each framed by `frame`
    /// (a JSON-RPC response, or the bare `StreamResponse` of HTTP+JSON).
    static func sse(
        first: A2AStreamEvent, updates: AsyncStream<A2ATaskHub.Update>?, frame: @escaping @Sendable (A2AStreamEvent) -> JSONValue
    ) -> Response {
        @Sendable func event(_ event: A2AStreamEvent) -> ByteBuffer {
            ByteBuffer(bytes: Array("data: ".utf8) + frame(event).canonicalBytes() + Array("\n\n".utf8))
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                try await writer.write(event(first))
                if let updates {
                    for await case .event(let update) in updates { try await writer.write(event(update)) }
                }
                try await writer.finish(nil)
            })
    }

    static func rpc(_ message: JSONRPCMessage, status: HTTPResponse.Status = .ok) -> Response { json(status, message.json) }

    /// The card, with caching headers: an `ETag` of its bytes (a matching `If-None-Match` gets 304), the
    /// `Last-Modified` date of `modified` (an equal `If-Modified-Since`, without `If-None-Match`, gets 304 too)
    /// and a `Cache-Control` of five minutes.
    static func cached(_ card: JSONValue, modified: String, ifNoneMatch: String?, ifModifiedSince: String? = nil) -> Response {
        let bytes = card.canonicalBytes()
        let etag = "\"\(Digest.fnv1a64(bytes))\""
        var headers: HTTPFields = [
            .contentType: "application/json", .eTag: etag, .cacheControl: "public, max-age=300", .lastModified: modified,
        ]
        let etagMatches = ifNoneMatch?.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }
        if etagMatches ?? (ifModifiedSince == modified) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.canonicalBytes())))
    }

    static func plain(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["error": .string(message)])
    }

    /// Whether a `Content-Type` is JSON (`application/json` or `application/a2a+json`, any parameters).
    static func isJSON(_ contentType: String?) -> Bool {
        let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return type == "application/json" || type == "application/a2a+json"
    }

    static func contentTypeMessage(_ contentType: String?) -> String {
        "A2A requests need Content-Type: application/json, not \(contentType ?? "none")"
    }

    static func optionalInt(_ value: JSONValue?, _ path: String) throws(JSONRPCError) -> Int? {
        guard let value, !value.isNull else { return nil }
        guard let int = value.intValue else { throw .invalidParams("\(path) must be an integer, not \(value.typeName)") }
        return int
    }
}
