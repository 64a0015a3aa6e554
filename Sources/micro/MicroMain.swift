import MicroCLI

@main
enum MicroMain {
    static func main() async {
        await MicroCommand.main()
    }
}
