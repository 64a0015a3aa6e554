import Micro
import MicroAgent

/// What a judge (a `judge:` expectation's model) said about a run, as its `judge_verdict` Trace event holds it.
public struct JudgeVerdict: Sendable, Hashable {
    /// The judge: its place in the scenario file, `expect[2].judge` (``JudgeExpectation/id``).
    public var id: String
    public var rubric: String
    /// The judge's model as `provider/model`.
    public var model: String
    /// The verdict; nil when the judge gave none (``error`` says why).
    public var passed: Bool?
    /// The score the judge gave (asked for in [0, 1]); nil when it gave none.
    public var score: Double?
    public var reasoning: String
    /// The judge's answer as it came.
    public var answer: String
    /// Why there is no usable verdict.
    public var error: JudgeError?
    /// The judge's tokens (counted apart from the agents').
    public var usage: Usage

    public init(
        id: String, rubric: String, model: String, passed: Bool?, score: Double?, reasoning: String, answer: String,
        error: JudgeError?, usage: Usage
    ) {
        self.id = id
        self.rubric = rubric
        self.model = model
        self.passed = passed
        self.score = score
        self.reasoning = reasoning
        self.answer = answer
        self.error = error
        self.usage = usage
    }

    /// Parses a judge's answer: one JSON object `{"pass": bool, "score": number, "reasoning": string}`, alone
    /// or inside prose or a code fence; `pass` may also be `"pass"`/`"fail"`, and one of `pass` and `score`
    /// may be left out.
    public static func parse(_ answer: String) throws(JudgeError) -> (passed: Bool?, score: Double?, reasoning: String) {
        guard let open = answer.firstIndex(of: "{"), let close = answer.lastIndex(of: "}"), open < close else {
            throw JudgeError(.unparseable, "the answer holds no JSON object: \(ReportText.short(answer, 200))")
        }
        let object: [String: JSONValue]
        do {
            guard let parsed = try JSONValue(parsing: String(answer[open...close])).objectValue else { throw JudgeError(.unparseable, "") }
            object = parsed
        } catch {
            throw JudgeError(.unparseable, "the answer's JSON object does not parse: \(ReportText.short(String(answer[open...close]), 200))")
        }
        var passed: Bool?
        switch object["pass"] {
        case nil, .null?: passed = nil
        case .bool(let flag)?: passed = flag
        case .string(let word)? where ["pass", "passed", "yes", "true"].contains(word.lowercased()): passed = true
        case .string(let word)? where ["fail", "failed", "no", "false"].contains(word.lowercased()): passed = false
        case let other?: throw JudgeError(.invalidField, "pass must be true or false, found \(other.canonicalString())")
        }
        var score: Double?
        switch object["score"] {
        case nil, .null?: score = nil
        case .integer(let value)?: score = Double(value)
        case .number(let value)?: score = value
        case let other?: throw JudgeError(.invalidField, "score must be a number, found \(other.canonicalString())")
        }
        if passed == nil && score == nil { throw JudgeError(.missingField, "the verdict has neither pass nor score: \(ReportText.short(answer, 200))") }
        let reasoning: String
        switch object["reasoning"] {
        case nil, .null?: reasoning = ""
        case .string(let text)?: reasoning = text
        case let other?: throw JudgeError(.invalidField, "reasoning must be a string, found \(other.canonicalString())")
        }
        return (passed, score, reasoning)
    }

    /// `pass, score 0.9: reasoning`, `fail: reasoning`, or `no verdict: unparseable: …`.
    public var summary: String {
        if let error { return "no verdict: \(error)" }
        var text = passed.map { $0 ? "pass" : "fail" } ?? "no pass given"
        if let score { text += ", score \(Bounds.format(score))" }
        return reasoning.isEmpty ? text : "\(text): \(reasoning)"
    }

    // MARK: Trace

    /// The `judge_verdict` event's data.
    public var traceData: JSONValue {
        [
            "id": .string(id), "rubric": .string(rubric), "model": .string(model), "answer": .string(answer),
            "verdict": error == nil
                ? ["pass": passed.map(JSONValue.bool) ?? .null, "score": score.map(JSONValue.number) ?? .null, "reasoning": .string(reasoning)]
                : .null,
            "error": error.map { ["code": .string($0.code.rawValue), "message": .string($0.message)] } ?? .null,
            "usage": usage.jsonValue,
        ]
    }

    /// Reads a `judge_verdict` event.
    public init?(event: TraceEvent) {
        guard event.kind == .judgeVerdict else { return nil }
        let data = event.data
        let verdict = data["verdict"]
        self.init(
            id: data["id"]?.stringValue ?? "", rubric: data["rubric"]?.stringValue ?? "", model: data["model"]?.stringValue ?? "",
            passed: verdict?["pass"]?.boolValue, score: verdict?["score"]?.doubleValue,
            reasoning: verdict?["reasoning"]?.stringValue ?? "", answer: data["answer"]?.stringValue ?? "",
            error: data["error"].flatMap { error in
                error.isNull ? nil : JudgeError(.init(rawValue: error["code"]?.stringValue ?? ""), error["message"]?.stringValue ?? "")
            },
            usage: Usage(json: data["usage"] ?? .null))
    }
}

extension TraceEvent.Kind {
    /// A judge's verdict on the run (``JudgeVerdict/traceData``), recorded after the run ended.
    public static let judgeVerdict = TraceEvent.Kind(rawValue: "judge_verdict")
}
