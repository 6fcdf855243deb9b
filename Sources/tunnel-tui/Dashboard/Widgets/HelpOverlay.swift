import TunnelManager

/// The `?` overlay: every key binding, from the same table that drives the handler.
struct HelpOverlay: Widget {
    let state: ViewState

    /// The lines of the overlay, as shown (also used for the README's key list).
    static func lines() -> [String] {
        var lines = ["Tunnel table"]
        var seen: Set<String> = []
        for focus in [Focus.table, .log] {
            if focus == .log { lines += ["", "Log pane (Enter or Tab from the table)"] }
            for binding in KeyBinding.all where binding.focus == focus {
                let keys = binding.keys.map(Self.name).joined(separator: " ")
                let line = "  \(keys.padded(to: 16)) \(binding.help)"
                if seen.insert("\(focus)\(line)").inserted { lines.append(line) }
            }
        }
        lines += ["", "Press any key to close (arrows scroll when it does not fit)."]
        return lines
    }

    static func name(_ key: Key) -> String {
        switch key {
        case .character(let character): String(character)
        case .up: "Up"
        case .down: "Down"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .enter: "Enter"
        case .tab: "Tab"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .controlC: "Ctrl-C"
        case .controlL: "Ctrl-L"
        case .controlZ: "Ctrl-Z"
        }
    }

    func render(into screen: inout Screen, area: Area) {
        let lines = Self.lines()
        let width = min(area.width - 2, (lines.map(\.count).max() ?? 0) + 4)
        let height = min(area.height - 2, lines.count + 2)
        let box = Area(x: area.x + (area.width - width) / 2, y: area.y + max(0, (area.height - height) / 2), width: width, height: height)
        let rows = box.height - 2
        let first = min(state.helpScroll, max(0, lines.count - rows))
        let more = lines.count > rows
        Box(title: more ? " keys \(first + 1)-\(first + rows) of \(lines.count), arrows scroll " : " keys ", unicode: state.unicode)
            .render(into: &screen, area: box)
        for (index, line) in lines.dropFirst(first).prefix(rows).enumerated() {
            screen.put(line, x: box.x + 2, y: box.y + 1 + index, style: line == "Tunnel table" || line.hasPrefix("Log pane") ? .bold : .plain, maxWidth: box.width - 3)
        }
    }
}
