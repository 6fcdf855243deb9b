import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// The selected tunnel: its command, pid, state, cause and hint, latency, and its live log.
struct DetailView: Widget {
    let state: ViewState

    func render(into screen: inout Screen, area: Area) {
        guard area.height > 0 else { return }
        let symbols = Symbols(unicode: state.unicode)
        guard let tunnel = state.selected else {
            rule(" no tunnel selected ", into: &screen, area: area, symbols: symbols)
            return
        }
        rule(" \(tunnel.name) ", into: &screen, area: area, symbols: symbols)
        var lines: [(String, CellStyle)] = []
        let stateStyle = Symbols.style(tunnel.state, colors: state.colors)
        var stateLine = "\(symbols.glyph(tunnel.state)) \(tunnel.state.rawValue) since \(Formatting.clock(tunnel.since, state.timeZone))"
            + " (\(Formatting.duration(max(0, state.now.timeIntervalSince(tunnel.since)))))"
        if let connection = tunnel.connection, connection.shared {
            // A forward on a shared connection: the connection's name, state, master pid and load.
            stateLine += "   connection \(TerminalText.sanitize(connection.label)) \(connection.state.rawValue)"
                + (connection.pid.map { " (ssh pid \($0), \(connection.forwards) of \(connection.tunnels) forwards)" } ?? " (no ssh running)")
        } else {
            stateLine += tunnel.pid.map { "   pid \($0)" } ?? "   no ssh running"
        }
        stateLine += "   restarts \(tunnel.restarts)"
        if let retry = tunnel.retryInSeconds, tunnel.state == .backoff || tunnel.state == .failed {
            stateLine += "   next retry in \(String.fixed(retry, digits: 1)) s"
        }
        lines.append((stateLine, stateStyle))
        if let cause = tunnel.cause {
            lines.append(("cause: \(cause)" + (tunnel.hint.map { " - \($0)" } ?? ""), state.colors ? CellStyle.plain.colored(Symbols.color(tunnel.state)) : .bold))
        }
        let latency = "latency last \(Formatting.latency(tunnel.latencyMilliseconds))  min \(Formatting.latency(tunnel.latencyMinimum))"
            + "  avg \(Formatting.latency(tunnel.latencyAverage))  max \(Formatting.latency(tunnel.latencyMaximum))"
            + "   public \(tunnel.publicEndpoint)  local \(tunnel.local)"
        lines.append((latency, .plain))
        lines.append(("$ " + tunnel.command.joined(separator: " "), .dim))
        var y = area.y + 1
        for (text, style) in lines where y < area.bottom {
            screen.put(text, x: area.x + 1, y: y, style: style, maxWidth: area.width - 2)
            y += 1
        }
        renderLog(Area(x: area.x, y: y, width: area.width, height: area.bottom - y), symbols: symbols, into: &screen)
    }

    private func rule(_ title: String, into screen: inout Screen, area: Area, symbols: Symbols) {
        screen.put(String(repeating: symbols.horizontal, count: area.width), x: area.x, y: area.y, style: .dim)
        screen.put(title, x: area.x + 2, y: area.y, style: .bold, maxWidth: area.width - 4)
    }

    private func renderLog(_ area: Area, symbols: Symbols, into screen: inout Screen) {
        guard area.height > 0 else { return }
        let focused = state.focus == .log
        let status = state.logScrollBack > 0 ? "scrolled back \(state.logScrollBack) (f follows)" : "following"
        let title = "log " + (focused ? "[focused] " : "") + status
        screen.put(String(repeating: symbols.horizontal, count: area.width), x: area.x, y: area.y, style: .dim)
        screen.put(" \(title) ", x: area.x + 2, y: area.y, style: focused ? .bold : .dim, maxWidth: area.width - 4)
        let rows = area.height - 1
        guard rows > 0 else { return }
        if state.selectedLog.isEmpty {
            screen.put("waiting for output", x: area.x + 1, y: area.y + 1, style: .dim)
            return
        }
        let end = max(0, state.selectedLog.count - state.logScrollBack)
        let shown = state.selectedLog[max(0, end - rows)..<end]
        for (offset, entry) in shown.enumerated() {
            let y = area.y + 1 + offset
            var x = screen.put(Formatting.clock(entry.time, state.timeZone) + " ", x: area.x + 1, y: y, style: .dim)
            let marker = entry.origin == .ssh ? symbols.sourceSSH : symbols.sourceSupervisor
            x = screen.put(marker + " ", x: x, y: y, style: entry.origin == .supervisor ? .bold : .dim)
            screen.put(entry.text, x: x, y: y, style: .plain, maxWidth: area.x + area.width - 1 - x)
        }
    }
}
