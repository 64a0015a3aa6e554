import Micro
import Testing

@testable import MicroHarness

@Suite struct ReportsTerminalTests {
    @Test func linesPerScenarioFailuresAndCounts() {
        let text = TerminalReport.summary(
            [ReportFixtures.passing(), ReportFixtures.failing(name: "shop", file: "Scenarios/shop.yaml"), ReportFixtures.erroring()],
            color: false)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "✓ books a flight  2 steps, 0 crashes, 1.5 s virtual  (Scenarios/book.yaml)")
        #expect(lines[1] == "✗ shop  3 steps, 1 crash, 63.3 s virtual, 15 tokens (in 10, out 5), cost unknown (no price for main (unknown model))  (Scenarios/shop.yaml)")
        #expect(lines[2].hasPrefix("    Scenarios/shop.yaml:14: output: the output a<b & \"c\""))
        #expect(lines[3] == "    Scenarios/shop.yaml: fault_fired: a fault never fired")
        #expect(lines[4] == "✗ broken world  0 steps, 0 crashes, 0 s virtual  (Scenarios/broken.yaml)")
        #expect(lines[5] == "    Scenarios/broken.yaml: world: the world could not be built")
        #expect(lines[6] == "1 passed, 2 failed")
        #expect(lines.count == 8 && lines[7].isEmpty)
    }

    @Test func hostileTextStaysOnOneLineWithoutEscapeSequences() {
        let text = TerminalReport.summary([ReportFixtures.failing()], color: false)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("\\u{1B}[31m é 日本 🚀\\nsecond line"))
        #expect(text.split(separator: "\n").count == 4)
    }

    @Test func colorOnlyWhenAsked() {
        let colored = TerminalReport.summary([ReportFixtures.passing(), ReportFixtures.erroring()], color: true)
        #expect(colored.contains("\u{1B}[32m✓\u{1B}[0m"))
        #expect(colored.contains("\u{1B}[31m✗\u{1B}[0m"))
        #expect(colored.hasSuffix("\u{1B}[31m1 passed, 1 failed\u{1B}[0m\n"))
        #expect(TerminalReport.summary([ReportFixtures.passing()], color: true).contains("\u{1B}[32m1 passed, 0 failed"))
        #expect(TerminalReport.summary([], color: false) == "0 passed, 0 failed\n")
    }

    @Test(arguments: [
        (0, "0 s"), (250, "250 ms"), (1000, "1 s"), (1500, "1.5 s"), (61_240, "61.2 s"), (120_000, "2 min"), (125_000, "2 min 5 s"),
    ])
    func durations(milliseconds: Int64, text: String) {
        #expect(ReportText.duration(.milliseconds(milliseconds)) == text)
    }
}
