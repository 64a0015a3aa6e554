import MicroCLI
import MicroHarness
import SupportDesk

/// `support-desk`: Micro's command line with the desk's catalogue (`test`, `run`, `chaos`, `check`, `tools`,
/// `mcp serve`, `a2a serve`, `record`, …). Chaos runs re-execute this same executable.
@main
enum SupportDeskMain {
    static func main() async {
        await MicroCommand.main(catalog: .supportDesk)
    }
}
