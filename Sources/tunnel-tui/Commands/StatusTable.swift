import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// The one-line-per-tunnel table of `status` and `check`.
enum StatusTable {
    /// Every text in a row may come from a reply (another process): it is sanitised before it reaches the terminal.
    static func render(_ unsafeRows: [(name: String, state: TunnelState, latency: Double?, uptime: Double?, restarts: Int?, cause: String?)]) -> String {
        let rows = unsafeRows.map { (name: TerminalText.sanitize($0.name), state: $0.state, latency: $0.latency, uptime: $0.uptime, restarts: $0.restarts, cause: $0.cause) }
        let nameWidth = max(4, rows.map(\.name.count).max() ?? 4)
        var lines = ["NAME".padded(to: nameWidth) + "  STATE        LATENCY   UPTIME  RST  CAUSE"]
        for row in rows {
            let latency = Formatting.latency(row.latency)
            let uptime = row.uptime.map(Formatting.duration) ?? "-"
            lines.append(row.name.padded(to: nameWidth) + "  "
                + row.state.rawValue.padded(to: 11) + "  "
                + String(repeating: " ", count: max(0, 7 - latency.count)) + latency + "  "
                + String(repeating: " ", count: max(0, 7 - uptime.count)) + uptime + "  "
                + String(repeating: " ", count: max(0, 3 - String(row.restarts ?? 0).count)) + (row.restarts.map(String.init) ?? "-") + "  "
                + TerminalText.sanitize(row.cause ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
