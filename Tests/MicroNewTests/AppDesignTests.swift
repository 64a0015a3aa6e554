import Foundation
import Micro
import Testing

@testable import MicroNew

@Suite struct AppDesignTests {
    @Test func bundledDesignIsValidAndMatchesItsDerivedSchema() throws {
        let design = try bundledDesign()
        try design.validate()
        let schema = try JSONSchema.derive(from: AppDesign.self)
        #expect(schema.validate(try JSONValueEncoder().encode(design)).isEmpty)
        // The schema rejects what the types cannot hold, with the path.
        var broken = try JSONValueEncoder().encode(design)
        if case .object(var fields) = broken {
            fields["services"] = [["name": "bill", "description": "x", "endpoints": [["name": "split", "description": "x", "request": [["name": "a", "type": "decimal", "description": "x"]], "response": []]]]]
            broken = .object(fields)
        }
        let violations = schema.validate(broken)
        #expect(violations.contains { $0.path.contains("type") })
    }

    static let breakages: [(String, @Sendable (inout AppDesign) -> Void)] = [
        ("services[0].name", { $0.services[0].name = "Bill" }),
        ("services[0].endpoints[0].name", { $0.services[0].endpoints[0].name = "split-it" }),
        ("services[0].endpoints[0].request[0].name", { $0.services[0].endpoints[0].request[0].name = "total_cents" }),
        ("services[0].endpoints[0].request[1].name", { $0.services[0].endpoints[0].request[1].name = "class" }),
        ("services[0].endpoints[0].request[1].name", { $0.services[0].endpoints[0].request[1].name = "totalCents" }),
        ("services[0].endpoints[0].response", { $0.services[0].endpoints[0].response = [] }),
        ("agents[0].tools[0]", { $0.agents[0].tools = ["tab"] }),
        ("scenarios[0].name", { $0.scenarios[0].name = "Dinner for four" }),
        ("scenarios[0].agent", { $0.scenarios[0].agent = "waiter" }),
        ("scenarios[0].call", { $0.scenarios[0].call.endpoint = "sum" }),
        ("scenarios[0].call.arguments[0].name", { $0.scenarios[0].call.arguments[0].name = "total" }),
        ("scenarios[0].call.arguments[1].value", { $0.scenarios[0].call.arguments[1].value = "four" }),
        ("scenarios[0].call.arguments", { $0.scenarios[0].call.arguments.removeLast() }),
        ("scenarios[1].name", { $0.scenarios[1].name = $0.scenarios[0].name }),
        ("agents", { $0.agents = [] }),
    ]

    @Test(arguments: breakages.indices)
    func validationNamesWhatIsWrong(index: Int) throws {
        let (path, breaking) = Self.breakages[index]
        var design = try bundledDesign()
        breaking(&design)
        let error = try #require(throws: DesignError.self) { try design.validate() }
        #expect(error.problems.contains { $0.path == path }, "\(error)")
    }

    @Test(arguments: [
        (FieldType.integer, "42", JSONValue.integer(42)), (.integer, "4.2", nil), (.number, "2.5", .number(2.5)), (.number, "inf", nil),
        (.boolean, "true", .bool(true)), (.boolean, "yes", nil), (.string, "milk", .string("milk")),
    ])
    func argumentValuesReadAsTheirFieldType(type: FieldType, text: String, value: JSONValue?) {
        #expect(type.value(text) == value)
    }

    @Test func planShowsToolsAgentsAndScenarios() throws {
        let plan = try bundledDesign().plan
        #expect(plan.contains("bill_split(totalCents: Int, people: Int, tipPercent: Int) -> {tipCents: Int, perPersonCents: Int}"))
        #expect(plan.contains("assistant [tools: bill]"))
        #expect(plan.contains("dinner-for-four"))
    }

    @Test func packageNames() {
        #expect(throws: Never.self) { try GeneratorConfiguration.validate(name: "tip-splitter") }
        for bad in ["micro", "micro-agent", "Tip", "tip_splitter", "-tip", "tip-", "tip--splitter", "../tip", ""] {
            #expect(throws: GeneratorError.self) { try GeneratorConfiguration.validate(name: bad) }
        }
    }
}

@Suite struct SwiftDiagnosticTests {
    @Test func parsesErrorsOnceWithPathsRelativeToThePackage() {
        let output = """
            Building for debugging...
            [3/9] Compiling TipSplitter BillLogic.swift
            /work/pkg/Sources/TipSplitter/BillLogic.swift:9:46: error: cannot find 'tipCent' in scope; did you mean 'tipCents'?
             7 |         let tipCents = request.totalCents * request.tipPercent / 100
               |                                              `- error: cannot find 'tipCent' in scope
            /work/pkg/Sources/TipSplitter/BillLogic.swift:9:46: error: cannot find 'tipCent' in scope; did you mean 'tipCents'?
            /work/pkg/Sources/TipSplitter/BillLogic.swift:7:13: warning: variable 'x' was never used
            /work/Micro/Sources/Micro/A.swift:1:1: error: elsewhere
            /work/pkg/Sources/TipSplitter/BillLogic.swift:7:13: note: did you mean this?
            error: fatalError
            """
        let diagnostics = SwiftDiagnostic.parse(output, root: "/work/pkg")
        #expect(diagnostics == [
            SwiftDiagnostic(file: "Sources/TipSplitter/BillLogic.swift", line: 9, column: 46, severity: "error",
                message: "cannot find 'tipCent' in scope; did you mean 'tipCents'?"),
            SwiftDiagnostic(file: "Sources/TipSplitter/BillLogic.swift", line: 7, column: 13, severity: "warning", message: "variable 'x' was never used"),
            SwiftDiagnostic(file: "/work/Micro/Sources/Micro/A.swift", line: 1, column: 1, severity: "error", message: "elsewhere"),
        ])
    }

    @Test func buildReportKeepsErrorsAndSaysWhyWithoutThem() {
        let failed = PackageService.report(
            of: ToolchainRun(exitCode: 1, output: "/p/A.swift:1:2: warning: w\n/p/A.swift:3:4: error: e\n"), round: 1, allowed: 3, root: "/p",
            timeout: .seconds(5))
        #expect(!failed.succeeded && failed.buildsLeft == 2 && failed.diagnostics.map(\.message) == ["e"])
        let linker = PackageService.report(of: ToolchainRun(exitCode: 1, output: "ld: undefined symbol\n"), round: 2, allowed: 3, root: "/p", timeout: .seconds(5))
        #expect(linker.message.contains("no diagnostic") && linker.message.contains("ld: undefined symbol"))
        let slow = PackageService.report(of: ToolchainRun(exitCode: nil, timedOut: true, output: ""), round: 1, allowed: 1, root: "/p", timeout: .seconds(5))
        #expect(!slow.succeeded && slow.message.contains("did not finish"))
        let green = PackageService.report(of: ToolchainRun(exitCode: 0, output: "Build complete!"), round: 3, allowed: 3, root: "/p", timeout: .seconds(5))
        #expect(green.succeeded && green.buildsLeft == 0)
    }
}

@Suite struct PackageTemplateTests {
    @Test func filesFollowFromTheDesign() throws {
        let template = PackageTemplate(name: "tip-splitter", design: try bundledDesign(), micro: .path("../.."))
        let files = Dictionary(uniqueKeysWithValues: template.files().map { ($0.path, $0.content) })
        #expect(files.keys.sorted() == [
            ".gitignore", "Package.swift", "README.md", "Scenarios/dinner-for-four.yaml", "Scenarios/lunch-alone.yaml",
            "Sources/TipSplitter/BillService.swift", "Sources/TipSplitter/TipSplitterCatalog.swift", "Sources/tip-splitter/TipSplitterMain.swift",
        ])
        let manifest = try #require(files["Package.swift"])
        #expect(manifest.contains(#".package(name: "Micro", path: "../..")"#))
        #expect(manifest.contains(#".executable(name: "tip-splitter", targets: ["tip-splitter"])"#))
        let service = try #require(files["Sources/TipSplitter/BillService.swift"])
        #expect(service.contains("(request: BillSplitRequest, _: CallContext) async throws -> BillSplitResponse in"))
        #expect(service.contains("try await BillLogic.split(request)"))
        #expect(service.contains("public init(totalCents: Int, people: Int, tipPercent: Int)"))
        let scenario = try #require(files["Scenarios/dinner-for-four.yaml"])
        #expect(scenario.contains(#"- call: {tool: bill_split, arguments: {"people":4,"tipPercent":20,"totalCents":10000}}"#))
        #expect(scenario.contains(#"- expect: "\"perPersonCents\":3000""#))
        #expect(files["README.md"]?.contains("swift run tip-splitter test Scenarios") == true)
        #expect(template.logicFiles.map(\.path) == ["Sources/TipSplitter/BillLogic.swift"])
        #expect(template.logicFiles[0].declarations.contains("static func split(_ request: BillSplitRequest) async throws -> BillSplitResponse"))
    }

    @Test func microByURLOutsideTheRepository() {
        let entry = MicroDependency.url("https://example.com/org/micro-swift.git", version: "1.2.0").manifestEntry
        #expect(entry.dependency == #".package(url: "https://example.com/org/micro-swift.git", from: "1.2.0")"#)
        #expect(entry.package == "micro-swift")
        #expect(MicroDependency.detect(for: "/nowhere/app", from: "/") == .published)
        #expect(MicroDependency.detect(for: repositoryRoot + "/Build/app", from: repositoryRoot + "/Build") == .path("../.."))
        #expect(MicroDependency.relativePath(from: "/a/b/c", to: "/a/d") == "../../d")
    }

    @Test(arguments: [("plain", #""plain""#), ("a \"q\" \\ b\n", #""a \"q\" \\ b\n""#), ("\u{1}", #""\u{1}""#)])
    func swiftLiterals(text: String, literal: String) {
        #expect(SwiftSource.literal(text) == literal)
    }
}
