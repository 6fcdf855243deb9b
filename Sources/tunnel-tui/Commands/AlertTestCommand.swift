import ArgumentParser
import FoundationEssentials
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// `tunnel-tui alert test [NAME]`: runs the configured hook once with a test event, here and now, and says
/// what it did, so the user can check the channel (ntfy, Telegram, mail...) before an outage does.
struct AlertTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the alert hook once with a test event (TUNNEL_EVENT=test) and show what it did.",
        discussion: """
            Without NAME the event names every tunnel that uses the [alerts] command; with NAME, that tunnel and its \
            own hook (alert_command). Exits 0 when the hook exits 0 within its timeout, 1 otherwise.
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The tunnel to name in the test event.")
    var name: String?

    func run() async throws {
        let config = try options.load()
        let alerts = config.alerts
        let tunnels: [TunnelConfig]
        let command: [String]
        if let name {
            guard let tunnel = config.tunnels.first(where: { $0.name == name }) else {
                let known = config.tunnels.map(\.name).joined(separator: ", ")
                throw failure("no tunnel \"\(name)\" in \(config.path); known tunnels: \(known)")
            }
            guard let own = alerts.command(for: name) else {
                throw failure("tunnel \"\(name)\" sends no alerts (alerts = false, or no [alerts] command or alert_command); see README, Alerts")
            }
            tunnels = [tunnel]
            command = own
        } else {
            guard let shared = alerts.command else {
                throw failure("\(config.path) has no [alerts] command; add one, e.g. [alerts] command = [\"/usr/local/bin/notify-me\"]")
            }
            tunnels = config.tunnels.filter { alerts.command(for: $0.name) == shared }
            command = shared
        }
        let event = AlertEvent(kind: .test, tunnels: tunnels.map { tunnel in
            AlertEvent.Tunnel(
                name: tunnel.name, state: .up, previousState: nil, cause: nil, hint: nil, downSeconds: nil,
                server: tunnel.server, remote: tunnel.remoteDescription, publicEndpoint: tunnel.publicEndpoint.description)
        }, command: command)
        let time = Date().timeIntervalSince1970
        let message = AlertMessage(event: event, host: AlertHookRunner.hostName(), time: time)
        show("running \(command.joined(separator: " ")) (timeout \(DurationParser.format(alerts.timeout)))")
        show("standard input: \(String(decoding: message.json.dropLast(), as: UTF8.self))")
        let outcome = await AlertHookRunner.run(event, timeout: alerts.timeout, time: time)
        for line in outcome.lines { show("hook: \(line)") }
        if outcome.droppedLines > 0 { show("hook: ... \(outcome.droppedLines) more lines") }
        if outcome.succeeded {
            show("ok: \(outcome.description)")
        } else {
            throw failure("the hook failed: \(outcome.description)")
        }
    }

    private func show(_ line: String) {
        Swift.print(TerminalText.sanitize(line))
    }

    /// Prints `message` to stderr and returns the exit status 1 to throw.
    private func failure(_ message: String) -> ExitCode {
        let text = "tunnel-tui: alert test: " + TerminalText.sanitize(message) + "\n"
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        return ExitCode(1)
    }
}
