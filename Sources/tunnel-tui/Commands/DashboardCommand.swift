import ArgumentParser
import Logging
import TunnelManager

/// `tunnel-tui` (default): the dashboard over the configured tunnels, supervising them in-process.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the dashboard (the default): supervise the tunnels and show them live.",
        discussion: "Quitting stops every tunnel it started. Keys: press ? in the dashboard.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        try await Self.show(config: config)
    }

    /// Runs the dashboard over `config` until the user quits.
    static func show(config: Config, label: String? = nil) async throws {
        var logger = Logger(label: "tunnel-tui")
        logger.logLevel = .critical  // the screen is the log; nothing may write over it
        let manager = TunnelManager(config: config, logger: logger)
        await manager.startAutostartTunnels()
        await DashboardRuntime(manager: manager, configPath: label ?? config.path).run()
    }
}
