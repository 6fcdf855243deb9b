/// Bottom line: the keys that work now, or the filter being typed, and the last action's feedback.
struct FooterView: Widget {
    let state: ViewState

    func render(into screen: inout Screen, area: Area) {
        screen.fill(y: area.y, from: area.x, width: area.width, style: .reverse)
        if state.editingFilter {
            screen.put(" filter: \(state.filter)_   Enter keeps it, Esc clears", x: area.x, y: area.y, style: .reverse)
            return
        }
        var hints = KeyBinding.all.filter { $0.focus == state.focus && $0.inFooter }.map { binding -> String in
            "\(binding.label) \(Self.shortHelp(binding.action))"
        }
        if !state.filter.isEmpty { hints.insert("filter \"\(state.filter)\" (Esc clears)", at: 0) }
        var x = area.x + 1
        for hint in hints {
            guard x + hint.count < area.x + area.width else { break }
            x = screen.put(hint, x: x, y: area.y, style: .reverse) + 2
        }
        if let notice = state.notice, x + notice.count + 2 < area.x + area.width {
            screen.put(notice, x: area.x + area.width - notice.count - 1, y: area.y, style: CellStyle.bold.reversed)
        }
    }

    static func shortHelp(_ action: KeyBinding.Action) -> String {
        switch action {
        case .moveDown, .moveUp: "move"
        case .focusLog: "log"
        case .start: "start"
        case .stop: "stop"
        case .restart: "restart"
        case .filter: "filter"
        case .help: "help"
        case .quit: "quit"
        case .pageUp, .pageDown: "page"
        case .follow: "follow"
        case .back: "back"
        default: ""
        }
    }
}
