import ArgumentParser
import TunnelManager

/// `tunnel-tui` (default): the dashboard over the configured tunnels.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "Open the dashboard (the default).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        _ = try options.load()
    }
}
