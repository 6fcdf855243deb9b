import TunnelManager

/// Top line: name, config path, counts by state, clock.
struct HeaderView: Widget {
    let state: ViewState

    func render(into screen: inout Screen, area: Area) {
        let symbols = Symbols(unicode: state.unicode)
        screen.fill(y: area.y, from: area.x, width: area.width, style: .reverse)
        let clock = Formatting.clock(state.now, state.timeZone)
        var counts: [(String, TunnelState)] = []
        for kind in [TunnelState.up, .connecting, .unreachable, .backoff, .failed, .stopped] {
            let count = state.tunnels.filter { $0.state == kind }.count
            if count > 0 { counts.append(("\(count) \(kind.rawValue)", kind)) }
        }
        var x = screen.put(" tunnel-tui ", x: area.x, y: area.y, style: CellStyle.bold.reversed)
        let countsWidth = counts.map(\.0.count).reduce(0, +) + max(0, counts.count - 1) * symbols.separator.count
        let pathRoom = area.width - (x - area.x) - countsWidth - clock.count - 4
        if pathRoom > 8 {
            x = screen.put(Formatting.fit(state.configPath, pathRoom, ellipsis: symbols.ellipsis), x: x, y: area.y, style: .reverse)
        }
        var countX = max(x + 1, area.x + area.width - countsWidth - clock.count - 3)
        for (index, (text, kind)) in counts.enumerated() {
            if index > 0 { countX = screen.put(symbols.separator, x: countX, y: area.y, style: .reverse) }
            var style = Symbols.style(kind, colors: state.colors).reversed
            style.dim = false
            countX = screen.put(text, x: countX, y: area.y, style: style, maxWidth: area.x + area.width - countX)
        }
        screen.put(clock, x: area.x + area.width - clock.count - 1, y: area.y, style: .reverse)
    }
}
