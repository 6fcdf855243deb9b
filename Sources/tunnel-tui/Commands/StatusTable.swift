import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// The one-line-per-tunnel table of `status` and `check`.
enum StatusTable {
    /// The tunnels of `status`, with the connection each rides on (`c1 4242`: shared connection c1, its ssh
    /// master's pid; `own 4243`: the tunnel's own ssh).
    static func render(_ tunnels: [TunnelStatus]) -> String {
        let connections = tunnels.map { tunnel -> String in
            let label = tunnel.connection.map { TerminalText.sanitize($0.label) } ?? "-"
            return label + " " + ((tunnel.connection?.pid ?? tunnel.pid).map(String.init) ?? "-")
        }
        return render(tunnels.map { ($0.name, $0.state, $0.latencyMilliseconds, $0.uptimeSeconds, $0.restarts, $0.cause) }, connections: connections)
    }

    /// Every text in a row may come from a reply (another process): it is sanitised before it reaches the terminal.
    static func render(_ unsafeRows: [(name: String, state: TunnelState, latency: Double?, uptime: Double?, restarts: Int?, cause: String?)],
                       connections: [String]? = nil) -> String {
        let rows = unsafeRows.map { (name: TerminalText.sanitize($0.name), state: $0.state, latency: $0.latency, uptime: $0.uptime, restarts: $0.restarts, cause: $0.cause) }
        let nameWidth = max(4, rows.map(\.name.count).max() ?? 4)
        let connectionWidth = max(4, connections?.map(\.count).max() ?? 0)
        var lines = ["NAME".padded(to: nameWidth) + "  STATE        LATENCY   UPTIME  RST  "
            + (connections == nil ? "" : "CONN".padded(to: connectionWidth) + "  ") + "CAUSE"]
        for (index, row) in rows.enumerated() {
            let connection = connections.map { $0[index].padded(to: connectionWidth) + "  " } ?? ""
            let latency = Formatting.latency(row.latency)
            let uptime = row.uptime.map(Formatting.duration) ?? "-"
            lines.append(row.name.padded(to: nameWidth) + "  "
                + row.state.rawValue.padded(to: 11) + "  "
                + String(repeating: " ", count: max(0, 7 - latency.count)) + latency + "  "
                + String(repeating: " ", count: max(0, 7 - uptime.count)) + uptime + "  "
                + String(repeating: " ", count: max(0, 3 - String(row.restarts ?? 0).count)) + (row.restarts.map(String.init) ?? "-") + "  "
                + connection + TerminalText.sanitize(row.cause ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
