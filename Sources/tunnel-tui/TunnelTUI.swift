import ArgumentParser

/// The `tunnel-tui` command: a dashboard by default, plus the daemon, health and config subcommands.
@main
struct TunnelTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunnel-tui",
        abstract: "Supervise OpenSSH reverse tunnels, probe them end to end, and watch them in a dashboard.",
        subcommands: [
            DashboardCommand.self, DemoCommand.self, DaemonCommand.self, StatusCommand.self, CheckCommand.self,
            StartCommand.self, StopCommand.self, RestartCommand.self, ConfigCommand.self, ServerSetupCommand.self,
            BenchmarkCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self)
}
