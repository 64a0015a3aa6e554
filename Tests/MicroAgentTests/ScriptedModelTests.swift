import Micro
import MicroAgent
import Testing

@Suite struct ScriptedModelTests {
    @Test func foldsTextAndToolCalls() async throws {
        let model = ScriptedModel([
            .calls([ToolCall(id: "c1", name: "weather_forecast", arguments: ["city": "Lisbon"])], text: "Let me check."),
            .answer("Sunny."),
        ])
        let request = ModelRequest(model: "m", messages: [.user("Weather in Lisbon?")])
        let first = try await model.respond(to: request)
        #expect(first.stopReason == .toolUse)
        #expect(first.message.text == "Let me check.")
        #expect(first.message.toolCalls == [ToolCall(id: "c1", name: "weather_forecast", arguments: ["city": "Lisbon"])])
        let second = try await model.respond(to: request)
        #expect(second.message == .assistant("Sunny."))
        #expect(second.stopReason == .endTurn)
    }

    @Test func runningOutOfTurnsSaysWhichCallAndShowsTheRequest() async throws {
        let model = ScriptedModel([.answer("only one")])
        let request = ModelRequest(model: "m", messages: [.user("again please")])
        _ = try await model.respond(to: request)
        let error = await #expect(throws: ModelError.self) { try await model.respond(to: request) }
        #expect(error?.code == .noMatch)
        #expect(error?.message.contains("call 2") == true)
        #expect(error?.message.contains("again please") == true)
    }

    @Test func expectationsOnTheLastMessageAreChecked() async throws {
        let model = ScriptedModel([Turn(text: "ok", expecting: "booking confirmed")])
        let error = await #expect(throws: ModelError.self) {
            try await model.respond(to: ModelRequest(model: "m", messages: [.user("something else")]))
        }
        #expect(error?.message.contains("turn 1") == true)
    }

    @Test func scriptedFailuresCarryRetryAfter() async throws {
        let model = ScriptedModel([.fail(.init(code: .rateLimited, message: "slow down", retryAfter: .seconds(2)))])
        let error = await #expect(throws: ModelError.self) {
            try await model.respond(to: ModelRequest(model: "m", messages: [.user("hi")]))
        }
        #expect(error?.retryAfter == .seconds(2))
        #expect(error?.isRetryable == true)
    }

    @Test func aStreamWithoutFinishIsATruncation() throws {
        var folder = ModelEventFolder()
        try folder.apply(.textDelta("partial"))
        #expect(throws: ModelError.self) { try folder.response() }
    }

    @Test func malformedToolArgumentsAreReported() throws {
        var folder = ModelEventFolder()
        try folder.apply(.toolCallStart(index: 0, id: "c", name: "t"))
        try folder.apply(.toolCallDelta(index: 0, arguments: "{\"a\":"))
        try folder.apply(.finish(.toolUse))
        let error = #expect(throws: ModelError.self) { try folder.response() }
        #expect(error?.code == .malformedResponse)
    }
}

typealias Turn = ScriptedModel.Turn
