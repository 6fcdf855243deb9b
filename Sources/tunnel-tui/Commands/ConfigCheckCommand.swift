import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// `tunnel-tui config check`: validates the config and prints the ssh commands it would run: each shared
/// connection's master and each tunnel's forward on it, or the tunnel's own ssh.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and print the exact ssh commands the tunnels would run.",
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
        let groups = ConnectionGroup.groups(of: config.tunnels)
        for tunnel in config.tunnels {
            print("")
            print("[\(tunnel.name)] \(tunnel.remoteDescription) -> \(tunnel.local)"
                  + (tunnel.autostart ? "" : " (autostart off)"))
            print("  probe: \(tunnel.probe.rawValue) \(tunnel.publicEndpoint) every \(DurationParser.format(tunnel.probeInterval)), "
                  + "timeout \(DurationParser.format(tunnel.probeTimeout)), restart after \(tunnel.probeFailures) failures")
            print("  backoff: \(DurationParser.format(tunnel.backoffInitial)) to \(DurationParser.format(tunnel.backoffMax)), "
                  + "reset after \(DurationParser.format(tunnel.stableAfter)) up")
            if let number = groups.firstIndex(where: { $0.tunnels.contains { $0.name == tunnel.name } }) {
                let others = groups[number].tunnels.map(\.name).filter { $0 != tunnel.name }
                print("  connection: shared connection \(number + 1)" + (others.isEmpty ? ", alone on it" : ", with \(others.joined(separator: ", "))"))
                print("  forward: \(SSHCommand.display(MultiplexCommand.commandLine(for: tunnel, controlPath: Self.controlPath)))")
            } else {
                print("  command: \(SSHCommand.display(for: tunnel))")
            }
        }
        for (index, group) in groups.enumerated() {
            print("")
            print("shared connection \(index + 1): \(group.key) for \(group.tunnels.map(\.name).joined(separator: ", "))")
            print("  master: \(group.masterDisplay(controlPath: Self.controlPath))")
        }
        if !groups.isEmpty {
            print("")
            print("Each shared connection is one ssh master; each of its tunnels is a forward added on it. \(Self.controlPath) is the")
            print("master's control socket, which the supervisor makes in a private directory when it starts: to try a tunnel by")
            print("hand, run its connection's master, then its forward, with the same path of your own for \(Self.controlPath).")
            print("share_connection = false gives a tunnel its own ssh.")
        }
    }

    /// Stands for the master's control socket in the commands shown.
    private static let controlPath = "CONTROL_SOCKET"
}
