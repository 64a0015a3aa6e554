import Foundation
import Micro
import MicroA2A
import MicroAgent
import MicroSQLite
import Testing

@Suite struct A2AServerTests {
    @Test func publishesItsCardAtBothWellKnownPaths() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "hi")]), agent: "echo")
        try await server.withRunning { url in
            let transport = RawHTTP().transport
            for path in ["/.well-known/agent-card.json", "/.well-known/agent.json"] {
                let response = try await transport.send(.init(method: "GET", url: url + path))
                #expect(response.status == 200)
                let card = try JSONValue(parsing: try await response.collectBody())
                #expect(card["name"] == "echo")
                #expect(card["capabilities"]?["streaming"] == true)
                #expect(card["supportedInterfaces"]?[0]?["protocolVersion"] == "1.0")
                #expect(card["supportedInterfaces"]?[0]?["protocolBinding"] == "JSONRPC")
                #expect(card["supportedInterfaces"]?[1]?["protocolBinding"] == "HTTP+JSON")
                #expect(card["supportedInterfaces"]?[2]?["protocolVersion"] == "0.3")
                // The 0.3 fields only on the 0.3 path: the 1.0 card schema rejects them.
                #expect((card["url"]?.stringValue?.hasPrefix(url) == true) == (path == "/.well-known/agent.json"))
                #expect((card["protocolVersion"] != nil) == (path == "/.well-known/agent.json"))
                #expect(response.header("Cache-Control") == "public, max-age=300")
                let modified = try #require(response.header("Last-Modified"))
                #expect(modified.hasSuffix(" GMT"))
                let unchanged = try await transport.send(.init(method: "GET", url: url + path, headers: [("If-Modified-Since", modified)]))
                #expect(unchanged.status == 304)
                // The same card again, named by its ETag: 304 and no body.
                let etag = try #require(response.header("ETag"))
                let again = try await transport.send(.init(method: "GET", url: url + path, headers: [("If-None-Match", etag)]))
                #expect(again.status == 304)
                #expect(try await again.collectBody().isEmpty)
                let other = try await transport.send(.init(method: "GET", url: url + path, headers: [("If-None-Match", "\"stale\"")]))
                #expect(other.status == 200)
            }
            let legacy = try await transport.send(.init(method: "GET", url: url + "/.well-known/agent-card.json", headers: [("A2A-Version", "0.3")]))
            #expect(try JSONValue(parsing: try await legacy.collectBody())["protocolVersion"] == "0.3.0")
        }
    }

    @Test(arguments: [A2AVersion.v1_0, .v0_3])
    func sendMessageCompletesATask(version: A2AVersion) async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "hello back")]), agent: "echo")
        try await server.withRunning { url in
            let http = RawHTTP()
            let method = version == .v1_0 ? "SendMessage" : "message/send"
            let response = try await http.rpc(url, method, userMessage("hello", id: "m-1", version: version), version: version.rawValue)
            let task = try #require(version == .v1_0 ? response["result"]?["task"] : response["result"])
            #expect(task["status"]?["state"] == .string(A2ATaskState.completed.wire(version)))
            #expect(task["artifacts"]?[0]?["parts"]?[0]?["text"] == "hello back")
            #expect(task["history"]?.arrayValue?.count == 2)
            if version == .v0_3 {
                #expect(task["kind"] == "task")
                #expect(task["artifacts"]?[0]?["parts"]?[0]?["kind"] == "text")
            }
            let id = try #require(task["id"])
            let get = try await http.rpc(
                url, version == .v1_0 ? "GetTask" : "tasks/get", ["id": id, "historyLength": 0], version: version.rawValue)
            #expect(get["result"]?["status"]?["state"] == task["status"]?["state"])
            #expect(get["result"]?["history"] == nil)
        }
    }

    @Test func inputRequiredThenAFollowUpResumesTheRun() async throws {
        let world = A2AWorld()
        let runner = world.runner([asking()])
        let server = A2AServer(runner: runner, agent: "concierge")
        try await server.withRunning { url in
            let http = RawHTTP()
            let first = try await http.rpc(url, "SendMessage", userMessage("book me a room", id: "m-1"))
            let task = try #require(first["result"]?["task"])
            #expect(task["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
            #expect(task["status"]?["message"]?["parts"]?[0]?["text"] == "Which city?")
            #expect(task["status"]?["message"]?["role"] == "ROLE_AGENT")
            let taskID = try #require(task["id"]?.stringValue)
            // 0.3 spells the same state in kebab case.
            let old = try await http.rpc(url, "tasks/get", ["id": .string(taskID)], version: nil)
            #expect(old["result"]?["status"]?["state"] == "input-required")

            let second = try await http.rpc(url, "SendMessage", userMessage("Lisbon", id: "m-2", taskID: taskID))
            let resumed = try #require(second["result"]?["task"])
            #expect(resumed["id"]?.stringValue == taskID)
            #expect(resumed["status"]?["state"] == "TASK_STATE_COMPLETED")
            #expect(resumed["artifacts"]?[0]?["parts"]?[0]?["text"] == "Booked in the city you named.")
            // The run got the answer as the result of its request_input call.
            let checkpoint = try #require(try await runner.checkpointer.latest(runID: taskID))
            #expect(checkpoint.state.status == .completed)
            #expect(checkpoint.state.memory.messages.contains { $0.jsonValue.canonicalString().contains("Lisbon") })

            let again = try await http.rpc(url, "SendMessage", userMessage("again", id: "m-3", taskID: taskID))
            #expect(again["error"]?["code"] == -32004)
        }
    }

    /// An approval question is input-required too: the call comes as a data part beside the prompt, and a
    /// follow-up message answers it.
    @Test func anApprovalQuestionIsInputRequiredWithTheCallAsData() async throws {
        let world = A2AWorld()
        let planner = Agent(
            name: "planner", instructions: "Plan.",
            model: ScriptedModel([
                .calls([ToolCall(id: "p-1", name: "plan", arguments: ["steps": [["title": "Pay"]]])]), .answer("Planned."),
            ], selection: .byAssistantTurns), tools: .services([]), approval: ToolApproval([.init("plan", .ask)]))
        let server = A2AServer(runner: world.runner([planner]), agent: "planner")
        try await server.withRunning { url in
            let http = RawHTTP()
            let first = try await http.rpc(url, "SendMessage", userMessage("plan it", id: "m-1"))
            let task = try #require(first["result"]?["task"])
            #expect(task["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
            let parts = try #require(task["status"]?["message"]?["parts"]?.arrayValue)
            #expect(parts[0]["text"]?.stringValue?.hasPrefix("Approve the call of plan (call p-1)") == true)
            #expect(parts.count == 2 && parts[1].canonicalString().contains(#""callID":"p-1""#), "\(parts)")
            let taskID = try #require(task["id"]?.stringValue)
            let second = try await http.rpc(url, "SendMessage", userMessage("approve", id: "m-2", taskID: taskID))
            #expect(second["result"]?["task"]?["status"]?["state"] == "TASK_STATE_COMPLETED")
        }
    }

    @Test func twoFollowUpsAtOnceResumeTheRunOnce() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([asking()]), agent: "concierge")
        try await server.withRunning { url in
            let http = RawHTTP()
            let first = try await http.rpc(url, "SendMessage", userMessage("book", id: "m-1"))
            let taskID = try #require(first["result"]?["task"]?["id"]?.stringValue)
            let answers = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                for index in 0..<2 {
                    group.addTask { try await http.rpc(url, "SendMessage", userMessage("Oslo", id: "f-\(index)", taskID: taskID)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count { $0["result"]?["task"]?["status"]?["state"] == "TASK_STATE_COMPLETED" } == 1)
            #expect(answers.count { $0["error"]?["code"] == -32004 } == 1)
        }
    }

    @Test func streamsStatusUpdatesAndTheAnswerOverSSE() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "streamed answer")]), agent: "echo")
        try await server.withRunning { url in
            let http = RawHTTP()
            let events = try await http.stream(url, "SendStreamingMessage", userMessage("go", id: "m-1"))
            let results = events.compactMap { $0["result"] }
            #expect(results.count == 4)
            #expect(results.first?["task"]?["status"]?["state"] == "TASK_STATE_SUBMITTED")
            #expect(results.dropFirst().first?["statusUpdate"]?["status"]?["state"] == "TASK_STATE_WORKING")
            #expect(results.contains { $0["artifactUpdate"]?["artifact"]?["parts"]?[0]?["text"] == "streamed answer" })
            #expect(results.last?["statusUpdate"]?["status"]?["state"] == "TASK_STATE_COMPLETED")

            let old = try await http.stream(url, "message/stream", userMessage("go", id: "m-2", version: .v0_3), version: "0.3")
            let last = try #require(old.last?["result"])
            #expect(last["kind"] == "status-update")
            #expect(last["final"] == true)
            #expect(last["status"]?["state"] == "completed")
            #expect(old.first?["result"]?["kind"] == "task")
        }
    }

    @Test func cancelTaskCancelsTheRunningRun() async throws {
        let world = A2AWorld()
        let model = BlockingModel()
        let slow = Agent(name: "slow", instructions: "Think forever.", model: model, tools: .services([]))
        let server = A2AServer(runner: world.runner([slow]), agent: "slow")
        try await server.withRunning { url in
            let http = RawHTTP()
            let sent = try await http.rpc(
                url, "SendMessage",
                ["message": userMessage("think", id: "m-1")["message"]!, "configuration": ["returnImmediately": true]])
            let taskID = try #require(sent["result"]?["task"]?["id"]?.stringValue)
            #expect(try await eventually { model.calls == 1 })
            let working = try await http.rpc(url, "GetTask", ["id": .string(taskID)])
            #expect(working["result"]?["status"]?["state"] == "TASK_STATE_WORKING")

            let canceled = try await http.rpc(url, "CancelTask", ["id": .string(taskID)])
            #expect(canceled["result"]?["status"]?["state"] == "TASK_STATE_CANCELED")
            #expect(model.cancellations == 1)
            let again = try await http.rpc(url, "CancelTask", ["id": .string(taskID)])
            #expect(again["error"]?["code"] == -32002)
            // The run is recorded as cancelled (never resumed; `micro runs list` agrees with the task).
            let last = try await world.checkpointer.latest(runID: taskID)
            #expect(last?.state.status == .cancelled)
            #expect(last?.juncture == .cancelled)
        }
    }

    @Test func aPausedTaskIsCanceledWithoutARun() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([asking()]), agent: "concierge")
        try await server.withRunning { url in
            let http = RawHTTP()
            let sent = try await http.rpc(url, "message/send", userMessage("hi", id: "m-1", version: .v0_3), version: nil)
            let taskID = try #require(sent["result"]?["id"]?.stringValue)
            let canceled = try await http.rpc(url, "tasks/cancel", ["id": .string(taskID)], version: nil)
            #expect(canceled["result"]?["status"]?["state"] == "canceled")
            #expect(try await world.checkpointer.latest(runID: taskID)?.state.status == .cancelled)
            // A follow-up to the canceled task is refused; the run is not resumed.
            let late = try await http.rpc(url, "SendMessage", userMessage("Lisbon", id: "m-2", taskID: taskID))
            #expect(late["error"]?["code"] == -32004)
        }
    }

    @Test func tasksSurviveARestartOnTheSameSQLiteStore() async throws {
        try await withTemporaryDatabase { path in
            let environment = A2AWorld.environment()

            func server() throws -> A2AServer {
                let world = try A2AWorld.sqlite(path, environment: environment)
                return A2AServer(runner: world.runner([asking()]), agent: "concierge")
            }
            let taskID = try await server().withRunning { url in
                let sent = try await RawHTTP().rpc(url, "SendMessage", userMessage("book", id: "m-1"))
                #expect(sent["result"]?["task"]?["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
                return try #require(sent["result"]?["task"]?["id"]?.stringValue)
            }
            try await server().withRunning { url in
                let http = RawHTTP()
                let stored = try await http.rpc(url, "GetTask", ["id": .string(taskID)])
                #expect(stored["result"]?["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
                #expect(stored["result"]?["status"]?["message"]?["parts"]?[0]?["text"] == "Which city?")
                let resumed = try await http.rpc(url, "SendMessage", userMessage("Porto", id: "m-2", taskID: taskID))
                #expect(resumed["result"]?["task"]?["status"]?["state"] == "TASK_STATE_COMPLETED")
                #expect(resumed["result"]?["task"]?["history"]?.arrayValue?.count == 4)
            }
        }
    }

    @Test func theSameMessageSentAgainGetsTheSameTask() async throws {
        let world = A2AWorld()
        let model = ScriptedModel([.answer("once")], selection: .byAssistantTurns)
        let agent = Agent(name: "echo", instructions: "Answer.", model: model, tools: .services([]))
        let server = A2AServer(runner: world.runner([agent]), agent: "echo")
        try await server.withRunning { url in
            let http = RawHTTP()
            let first = try await http.rpc(url, "SendMessage", userMessage("hi", id: "run-1/3/0"))
            let second = try await http.rpc(url, "SendMessage", userMessage("hi", id: "run-1/3/0"))
            #expect(first["result"]?["task"]?["id"] != nil)
            #expect(second["result"]?["task"]?["id"] == first["result"]?["task"]?["id"])
            #expect(second["result"]?["task"]?["status"]?["state"] == "TASK_STATE_COMPLETED")
            #expect(model.turnsTaken == 1)
        }
    }

    @Test func listTasksPagesAndFilters() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "ok")]), agent: "echo")
        try await server.withRunning { url in
            let http = RawHTTP()
            for index in 0..<5 { _ = try await http.rpc(url, "SendMessage", userMessage("n\(index)", id: "m-\(index)")) }
            var seen: [String] = []
            var token = ""
            for _ in 0..<3 {
                let page = try await http.rpc(url, "ListTasks", ["pageSize": 2, "pageToken": .string(token)])
                let result = try #require(page["result"])
                #expect(result["totalSize"] == 5)
                seen += (result["tasks"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
                token = result["nextPageToken"]?.stringValue ?? ""
                if token.isEmpty { break }
            }
            #expect(Set(seen).count == 5)
            #expect(token.isEmpty)
            let none = try await http.rpc(url, "ListTasks", ["status": "TASK_STATE_WORKING"])
            #expect(none["result"]?["tasks"] == [])
            let bad = try await http.rpc(url, "ListTasks", ["pageSize": 1000])
            #expect(bad["error"]?["code"] == -32602)
        }
    }
}

@Suite struct A2ARecoveryTests {
    @Test func aTaskLeftWorkingIsResumedByTheNextServer() async throws {
        try await withTemporaryDatabase { path in
            let environment = A2AWorld.environment()

            func server(_ model: any Model, owner: String) throws -> A2AServer {
                let world = try A2AWorld.sqlite(path, environment: environment)
                let agent = Agent(name: "worker", instructions: "Work.", model: model, tools: .services([]))
                return A2AServer(runner: world.runner([agent], owner: owner), agent: "worker")
            }
            // The first server stops while the run waits on its model (giving its lease back).
            let blocking = BlockingModel()
            let taskID = try await server(blocking, owner: "server-1").withRunning { url in
                let sent = try await RawHTTP().rpc(
                    url, "SendMessage", ["message": userMessage("work", id: "m-1")["message"]!, "configuration": ["returnImmediately": true]])
                #expect(try await eventually { blocking.calls == 1 })
                return try #require(sent["result"]?["task"]?["id"]?.stringValue)
            }
            // The next one, another owner, finds the task working and continues its run from the checkpoint.
            try await server(ScriptedModel([.answer("finished after the restart")]), owner: "server-2").withRunning { url in
                let http = RawHTTP()
                var last: JSONValue?
                let completed = try await eventually {
                    last = try await http.rpc(url, "GetTask", ["id": .string(taskID)])["result"]
                    return last?["status"]?["state"] == "TASK_STATE_COMPLETED"
                }
                #expect(completed)
                #expect(last?["artifacts"]?[0]?["parts"]?[0]?["text"] == "finished after the restart")
            }
        }
    }
}

/// A follow-up stored before the server died (the task `submitted` again, the run still paused): the next
/// server, another owner, resumes the run with it as the answer instead of starting over or losing it.
@Suite struct A2AFollowUpRecoveryTests {
    @Test func aFollowUpSavedBeforeACrashIsTheAnswerOfTheRecoveredRun() async throws {
        try await withTemporaryDatabase { path in
            let environment = A2AWorld.environment()
            func world() throws -> A2AWorld { try A2AWorld.sqlite(path, environment: environment) }
            let first = try world()
            let taskID = try await A2AServer(runner: first.runner([asking()], owner: "server-1"), agent: "concierge").withRunning { url in
                let sent = try await RawHTTP().rpc(url, "SendMessage", userMessage("book me a room", id: "m-1"))
                #expect(sent["result"]?["task"]?["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
                return try #require(sent["result"]?["task"]?["id"]?.stringValue)
            }
            // What the server stores before it queues the resume, and then the crash.
            let tasks = A2ATaskStore(store: first.runtime.store, agent: "concierge")
            var task = try #require(try await tasks.task(taskID))
            task.history.append(.text("Porto", role: .user, messageID: "m-2", taskID: taskID, contextID: task.contextID))
            task.state = .submitted
            try await tasks.save(task)

            let second = try world()
            try await A2AServer(runner: second.runner([asking()], owner: "server-2"), agent: "concierge").withRunning { url in
                let completed = try await eventually { try await tasks.task(taskID)?.state == .completed }
                #expect(completed)
                let done = try await RawHTTP().rpc(url, "GetTask", ["id": .string(taskID)])
                #expect(done["result"]?["artifacts"]?[0]?["parts"]?[0]?["text"] == "Booked in the city you named.")
                #expect(done["result"]?["history"]?.arrayValue?.count == 4)
            }
            // The answer reached the run: its memory holds "Porto" as the reply to the question.
            let state = try #require(try await second.checkpointer.latest(runID: taskID)?.state)
            #expect(state.status == .completed)
            #expect(String(describing: state.memory.messages).contains("Porto"))
        }
    }
}

/// A server that died mid-run left its task `working` and its lease on the run: a server with another owner
/// waits the lease out and takes the run over, instead of leaving the task working for ever.
@Suite struct A2ALeaseRecoveryTests {
    @Test func aRunLeasedByADeadServerIsTakenOverWhenTheLeaseRunsOut() async throws {
        let world = A2AWorld()
        let tasks = A2ATaskStore(store: world.runtime.store, agent: "echo")
        let task = A2ATask(
            id: "task-1", contextID: "ctx-1", state: .working, updatedAt: world.environment.now(),
            history: [.text("hello", role: .user, messageID: "m-1", taskID: "task-1", contextID: "ctx-1")])
        try await tasks.save(task)
        _ = try await world.checkpointer.acquireLease(runID: "task-1", owner: "dead-server", duration: .milliseconds(300), now: world.environment.now())
        let runner = AgentRunner(
            runtime: world.runtime, checkpointer: world.checkpointer, agents: [answering("echo", "recovered")], owner: "new-server",
            leaseDuration: .milliseconds(300))
        try await A2AServer(runner: runner, agent: "echo").withRunning { _ in
            let completed = try await eventually { try await tasks.task("task-1")?.state == .completed }
            #expect(completed)
            #expect(try await tasks.task("task-1")?.outputText == "recovered")
        }
    }
}
