import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// `tunnel-tui config check`: validates the config and prints the ssh command of each tunnel.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and print the exact ssh command each tunnel would run.",
        discussion: "Exits 0 when the config is valid, 1 with every problem (file, line, tunnel, key) otherwise.")

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Print only problems (a reload runs this in a child process).")
    var quiet = false

    func run() throws {
        let config = try ParserCrashReport.whileParsing(options.config ?? "the config file") { try options.load() }
        if quiet { return }
        // Every value was validated (no invisible characters), but what reaches a terminal is sanitised anyway.
        func print(_ line: String) { Swift.print(TerminalText.sanitize(line)) }
        print("\(config.path): \(config.tunnels.count) tunnel\(config.tunnels.count == 1 ? "" : "s"), valid")
        for warning in config.warnings {
            print("warning: \(warning)")
        }
        for tunnel in config.tunnels {
            print("")
            print("[\(tunnel.name)] \(tunnel.remoteDescription) -> \(tunnel.local)"
                  + (tunnel.autostart ? "" : " (autostart off)"))
            print("  probe: \(tunnel.probe.rawValue) \(tunnel.publicEndpoint) every \(DurationParser.format(tunnel.probeInterval)), "
                  + "timeout \(DurationParser.format(tunnel.probeTimeout)), restart after \(tunnel.probeFailures) failures")
            print("  backoff: \(DurationParser.format(tunnel.backoffInitial)) to \(DurationParser.format(tunnel.backoffMax)), "
                  + "reset after \(DurationParser.format(tunnel.stableAfter)) up")
            print("  command: \(SSHCommand.display(for: tunnel))")
        }
    }
}
