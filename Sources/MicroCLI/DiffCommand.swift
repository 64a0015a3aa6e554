import ArgumentParser
import Foundation
import MicroHarness

/// `micro diff A B`: how two runs differ, step by step.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs step by step: first divergence, added and dropped steps, argument diffs, metrics, side effects.",
        discussion: """
            A and B are each a Trace (micro run --trace), a run record (micro run --save-record, micro test \
            --save-records), scenario results (micro test --json, micro check --json), a checkpoint (micro runs \
            show --json), a run list (micro runs list --json) or a run summary (micro run --summary); which one \
            is told by the content. Steps are aligned by a longest common subsequence of (kind, agent, tool), so a \
            call with other arguments is a changed step and an extra call an added one. \
            Exits 0 when they are identical, 1 when they differ, 2 when an input cannot be read.
            """
    )

    @Argument(help: "The first (old) file.") var a: String
    @Argument(help: "The second (new) file.") var b: String
    @Flag(help: "Print the diff as canonical JSON (sorted keys).") var json = false
    @Option(help: "Also write a side-by-side HTML page to this file.") var html: String?

    func run() async throws {
        let console = Console.current
        let diff: TraceDiff
        do {
            diff = TraceDiff(try DiffSubject.load(file: a), try DiffSubject.load(file: b))
        } catch {
            console.err("error: \(error)")
            throw ExitCode(2)
        }
        if let html {
            do {
                try Data(diff.html.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            } catch {
                console.err("error: cannot write \(html): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        if json {
            console.out(diff.json.prettyString())
        } else {
            var text = diff.text(color: Terminal.isInteractive(standardOutput: true))
            if text.hasSuffix("\n") { text.removeLast() }
            console.out(text)
        }
        if !diff.identical { throw ExitCode(1) }
    }
}
