import TunnelManager

/// Glyphs and colours for states and trends, in UTF-8 or ASCII.
struct Symbols: Sendable {
    let unicode: Bool

    func glyph(_ state: TunnelState) -> String {
        switch (state, unicode) {
        case (.up, true): "●"
        case (.connecting, true): "◌"
        case (.unreachable, true): "▲"
        case (.backoff, true): "◷"
        case (.failed, true): "✖"
        case (.stopped, true): "○"
        case (.up, false): "+"
        case (.connecting, false): "~"
        case (.unreachable, false): "!"
        case (.backoff, false): "."
        case (.failed, false): "X"
        case (.stopped, false): "-"
        }
    }

    static func color(_ state: TunnelState) -> CellStyle.Color {
        switch state {
        case .up: .green
        case .connecting, .backoff: .yellow
        case .unreachable, .failed: .red
        case .stopped: .standard
        }
    }

    /// Style of a state's symbol and word, with or without colour.
    static func style(_ state: TunnelState, colors: Bool) -> CellStyle {
        var style = CellStyle.plain
        if colors { style.color = color(state) }
        if state == .stopped { style.dim = true }
        if state == .failed || state == .unreachable { style.bold = true }
        return style
    }

    var separator: String { unicode ? " · " : ", " }
    var horizontal: Character { unicode ? "─" : "-" }
    var vertical: Character { unicode ? "│" : "|" }
    var ellipsis: String { unicode ? "…" : "~" }
    var sourceSSH: String { unicode ? "›" : ">" }
    var sourceSupervisor: String { unicode ? "•" : "*" }

    /// A sparkline of latencies (nil = failed probe) scaled to the largest, at most `width` wide.
    func sparkline(_ samples: [Double?], width: Int) -> String {
        let recent = samples.suffix(width)
        let levels: [Character] = unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : ["_", ".", "-", "~", "=", "+", "*", "#"]
        let failure: Character = unicode ? "×" : "x"
        let highest = max(recent.compactMap { $0 }.max() ?? 1, 0.001)
        return String(recent.map { sample -> Character in
            guard let sample else { return failure }
            let index = Int((sample / highest) * Double(levels.count - 1)).clamped(to: 0...(levels.count - 1))
            return levels[index]
        })
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
