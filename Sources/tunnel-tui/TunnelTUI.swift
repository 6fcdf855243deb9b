import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// The `tunnel-tui` command: a dashboard by default, plus the daemon, health and config subcommands.
struct TunnelTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunnel-tui",
        abstract: "Supervise OpenSSH reverse tunnels, probe them end to end, and watch them in a dashboard.",
        version: BuildInfo.version,
        subcommands: [
            DashboardCommand.self, DemoCommand.self, DaemonCommand.self, StatusCommand.self, CheckCommand.self,
            StartCommand.self, StopCommand.self, RestartCommand.self, ReloadCommand.self, InitCommand.self, ConfigCommand.self, ServerSetupCommand.self,
            BenchmarkCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self)
}

extension TunnelTUI {
    /// Runs a parsed command as argument-parser's `main()` would, then ends the process with its status. A
    /// ``CommandError`` is printed here with its own exit status; every other error goes to argument-parser
    /// (`Error: ...`, status 1; usage and 64 for a `ValidationError`).
    static func run(_ parsed: any ParsableCommand) async -> Never {
        var command = parsed
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as any CommandError {
            StandardError.write(error.report)
            exit(withError: ExitCode(error.exitStatus))
        } catch {
            exit(withError: error)
        }
        exit()
    }
}
