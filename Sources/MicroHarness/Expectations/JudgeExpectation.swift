import Foundation
import Micro
import MicroAgent

/// `judge: {rubric, model, pass, trajectory}`: a model grades the run against a rubric.
///
/// When the run ends, the world asks the judge's model (scripted turns or a provider adapter over a
/// cassette, so CI stays deterministic) with a request built from the run record — the rubric, the run's
/// prompt, its final output and, with `trajectory: true`, its tool calls and delegations — for a JSON verdict
/// `{"pass": bool, "score": 0…1, "reasoning": "…"}`. The verdict goes into the Trace (`judge_verdict`) and so
/// into the record and the reports; its tokens count as judge tokens, apart from the agents'. The check
/// then reads the recorded verdict: it passes when the score reaches `pass` (a number), or, without one,
/// when the verdict says pass. An answer that is not such a verdict fails it, saying why (``JudgeError``).
///
/// ```yaml
/// - judge:
///     rubric: The answer names the booked flight and the traveller.
///     pass: 0.7                                  # minimum score; without it, the verdict's pass decides
///     trajectory: true                           # also show the judge the tool calls
///     model:
///       price: {input: 0.15, output: 0.60}       # optional; else the price tables decide
///       script:
///         - text: '{"pass": true, "score": 0.9, "reasoning": "Names NO547 and Ada Lovelace."}'
///           usage: {input: 310, output: 24}
/// ```
public struct JudgeExpectation: ScenarioExpectation {
    public static let name = "judge"
    public var rubric: String
    /// The judge's model: scripted turns or `{provider, model, cassette}`.
    public var model: ModelSpec
    /// The score the verdict must reach; nil: the verdict's `pass` decides.
    public var passScore: Double?
    /// Whether the judge also sees the run's tool calls and delegations.
    public var trajectory: Bool
    /// The judge's name in the Trace, the record and the reports: its place in the file, `expect[2].judge`.
    public var id: String

    public init(rubric: String, model: ModelSpec, passScore: Double? = nil, trajectory: Bool = false, id: String = "judge") {
        self.rubric = rubric
        self.model = model
        self.passScore = passScore
        self.trajectory = trajectory
        self.id = id
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        let map = try node.mapping(["rubric", "model", "pass", "trajectory"])
        let rubric = try map.required("rubric").string()
        if rubric.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw map["rubric"]!.error("the rubric is empty") }
        let modelNode = try map.required("model")
        let model = try Scenario.model(modelNode, catalog: .empty)
        if case .named = model.backend {
            throw modelNode.error("a judge's model is scripted (script) or recorded (provider, model, cassette)")
        }
        var passScore: Double?
        if let pass = map["pass"] {
            let score = try pass.double()
            guard score.isFinite else { throw pass.error("pass must be a number (the minimum score)") }
            passScore = score
        }
        self.init(
            rubric: rubric, model: model, passScore: passScore, trajectory: try map["trajectory"]?.bool() ?? false,
            id: node.path.isEmpty ? Self.name : node.path)
    }

    public func check(_ record: RunRecord) -> Verdict {
        let verdicts = record.judgeVerdicts
        guard let verdict = verdicts.first(where: { $0.id == id && $0.rubric == rubric }) ?? verdicts.first(where: { $0.rubric == rubric })
        else {
            return Verdict(false, "no verdict of \(id) in the record (the judge did not run)")
        }
        if let error = verdict.error { return Verdict(false, "the judge gave no usable verdict: \(error)") }
        let reasoning = verdict.reasoning.isEmpty ? "" : ": \(verdict.reasoning)"
        let score = verdict.score.map { "score \(Bounds.format($0))" }
        if let passScore {
            guard let value = verdict.score else {
                return Verdict(false, "the judge gave no score, expected at least \(Bounds.format(passScore))\(reasoning)")
            }
            let passed = value >= passScore
            return Verdict(passed, "\(score ?? "") \(passed ? "≥" : "<") \(Bounds.format(passScore))\(reasoning)")
        }
        guard let passed = verdict.passed else {
            return Verdict(false, "the judge gave a score but no pass (give pass: a minimum score)\(reasoning)")
        }
        return Verdict(passed, "judged \(passed ? "pass" : "fail")\(score.map { " (\($0))" } ?? "")\(reasoning)")
    }
}
