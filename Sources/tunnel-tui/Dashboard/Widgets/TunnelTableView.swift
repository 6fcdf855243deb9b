import TunnelManager

/// The table: a title row, then one row per visible tunnel; the selected row is highlighted.
struct TunnelTableView: Widget {
    let state: ViewState

    func render(into screen: inout Screen, area: Area) {
        let columns = TableColumn.layout(width: area.width - 1)
        var x = area.x + 1
        for (column, width) in columns {
            screen.put(column.title, x: x, y: area.y, style: .bold, maxWidth: width)
            x += width + 1
        }
        let visible = state.visibleTunnels
        let rows = area.height - 1
        guard rows > 0 else { return }
        if visible.isEmpty {
            let message = state.tunnels.isEmpty ? "no tunnels" : "no tunnel matches \"\(state.filter)\""
            screen.put(message, x: area.x + 2, y: area.y + 1, style: .dim)
            return
        }
        let selectedIndex = visible.firstIndex { $0.name == state.selected?.name } ?? 0
        let first = min(max(0, selectedIndex - rows + 1), max(0, visible.count - rows))
        let symbols = Symbols(unicode: state.unicode)
        for (offset, tunnel) in visible.dropFirst(first).prefix(rows).enumerated() {
            let y = area.y + 1 + offset
            let isSelected = offset + first == selectedIndex
            var x = area.x + 1
            for (column, width) in columns {
                render(column, of: tunnel, x: x, y: y, width: width, symbols: symbols, into: &screen)
                x += width + 1
            }
            if isSelected {
                screen.put(state.focus == .table ? (state.unicode ? "▶" : ">") : " ", x: area.x, y: y, style: .bold)
                screen.restyle(y: y, from: area.x + 1, width: area.width - 1) { $0.reverse = true }
            }
        }
        if visible.count > rows {
            let more = "\(first + 1)-\(first + min(rows, visible.count - first)) of \(visible.count)"
            screen.put(more, x: area.x + area.width - more.count - 1, y: area.y, style: .dim)
        }
    }

    private func render(_ column: TableColumn, of tunnel: TunnelStatus, x: Int, y: Int, width: Int, symbols: Symbols, into screen: inout Screen) {
        let fit = { (text: String) in Formatting.fit(text, width, ellipsis: symbols.ellipsis) }
        switch column {
        case .state:
            let style = Symbols.style(tunnel.state, colors: state.colors)
            screen.put(symbols.glyph(tunnel.state) + " " + tunnel.state.rawValue, x: x, y: y, style: style, maxWidth: width)
        case .name:
            screen.put(fit(tunnel.name), x: x, y: y, style: .bold)
        case .remote:
            screen.put(fit(tunnel.remote), x: x, y: y)
        case .local:
            screen.put(fit(tunnel.local), x: x, y: y)
        case .connection:
            // c1, c2, ...: tunnels with the same label share one ssh; "own" has its own ssh.
            screen.put(fit(tunnel.connection?.label ?? "-"), x: x, y: y, style: tunnel.connection?.shared == true ? .plain : .dim)
        case .latency:
            let text = tunnel.state == .stopped ? "" : Formatting.latency(tunnel.latencyMilliseconds)
            screen.put(String(repeating: " ", count: max(0, width - text.count)) + text, x: x, y: y, maxWidth: width)
        case .trend:
            let line = symbols.sparkline(tunnel.latencyHistory, width: width)
            screen.put(line, x: x, y: y, style: state.colors ? CellStyle.plain.colored(.cyan) : .plain, maxWidth: width)
        case .uptime:
            let text = tunnel.uptimeSeconds.map(Formatting.duration) ?? ""
            screen.put(String(repeating: " ", count: max(0, width - text.count)) + text, x: x, y: y, maxWidth: width)
        case .restarts:
            let text = String(tunnel.restarts)
            screen.put(String(repeating: " ", count: max(0, width - text.count)) + text, x: x, y: y, maxWidth: width)
        case .event:
            screen.put(fit(Self.lastEvent(tunnel)), x: x, y: y, style: tunnel.cause == nil ? .dim : .plain)
        }
    }

    /// The cause when there is one (with the retry countdown), else the newest log line.
    static func lastEvent(_ tunnel: TunnelStatus) -> String {
        if let cause = tunnel.cause {
            if let retry = tunnel.retryInSeconds, tunnel.state == .backoff || tunnel.state == .failed {
                return "\(cause), retry in \(Formatting.duration(retry.rounded(.up)))"
            }
            return cause
        }
        return tunnel.recentLog.last?.text ?? ""
    }
}
