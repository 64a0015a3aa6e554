import MicroCLI
import MicroHarness
import MicroTravel

/// `micro`: the command line with the bundled travel example as its catalogue. A user's package has its own
/// executable calling `MicroCommand.main(catalog:)` with its own.
@main
enum MicroMain {
    static func main() async {
        await MicroCommand.main(catalog: .travel)
    }
}
