import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// `tunnel-tui status`: asks the running instance and prints one line per tunnel; exit code for monitoring.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the state of every tunnel of the running instance (daemon or dashboard).",
        discussion: """
            Exit codes (monitoring-plugin convention): 0 every tunnel meant to run is up; 1 some are not up; \
            2 none is up, or one has failed (a cause that needs you); 3 no instance answers. Tunnels stopped \
            on purpose do not count. With --perfdata the first line ends with plugin performance data for \
            Nagios/Icinga graphs: | up=N;;;0;MEANT latency_NAME=12ms;;;0 ... restarts_NAME=3c ...
            """)

    @Flag(help: "Print JSON for scripts.") var json = false
    @Flag(help: "End the first line with monitoring-plugin performance data (| up=... latency_NAME=...ms ...).") var perfdata = false
    @OptionGroup var target: InstanceOptions

    func run() throws {
        let reply: ControlResponse
        do {
            reply = try target.instance.send(.status)
        } catch {
            if json {
                print("{\"verdict\":\"UNKNOWN\",\"error\":\(Self.quoted("\(error)"))}")
            } else {
                print("UNKNOWN: \(error)")
            }
            throw ExitCode(HealthVerdict.unknown.rawValue)
        }
        guard reply.ok else {
            let error = reply.error ?? "refused"
            print(json ? "{\"verdict\":\"UNKNOWN\",\"error\":\(Self.quoted(error))}" : "UNKNOWN: \(TerminalText.sanitize(error))")
            throw ExitCode(HealthVerdict.unknown.rawValue)
        }
        let tunnels = reply.tunnels ?? []
        let verdict = HealthVerdict.of(tunnels.map(\.state))
        if json {
            struct Output: Encodable {
                let verdict: String
                let instance: ControlInstance?
                let tunnels: [TunnelStatus]
            }
            let data = try ControlCoding.encoder(pretty: true).encode(Output(verdict: verdict.label, instance: reply.instance, tunnels: tunnels))
            print(String(decoding: data, as: UTF8.self))
        } else {
            let up = tunnels.filter { $0.state == .up }.count
            let summary = "\(verdict.label): \(up) of \(tunnels.count) tunnels up" + (reply.instance.map { " (\(TerminalText.sanitize($0.mode)) pid \($0.pid), \(TerminalText.sanitize($0.config)))" } ?? "")
            // In plugin output '|' starts the performance data: none may come earlier.
            print(perfdata ? summary.replacing("|", with: "/") + " | " + PerformanceData.render(tunnels) : summary)
            print(StatusTable.render(tunnels))
        }
        if verdict != .ok { throw ExitCode(verdict.rawValue) }
    }

    static func quoted(_ text: String) -> String {
        (try? String(decoding: JSONEncoder().encode(text), as: UTF8.self)) ?? "\"\""
    }
}
