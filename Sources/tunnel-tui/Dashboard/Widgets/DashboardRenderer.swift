/// Lays out the whole frame from the view state.
enum DashboardRenderer {
    static let minimumWidth = 60
    static let minimumHeight = 12

    static func render(_ state: ViewState) -> Screen {
        var screen = Screen(width: state.width, height: state.height)
        guard state.width >= minimumWidth, state.height >= minimumHeight else {
            let lines = ["terminal too small: \(state.width) x \(state.height)", "needs \(minimumWidth) x \(minimumHeight)", "q quits"]
            for (index, line) in lines.enumerated() {
                let y = state.height / 2 - 1 + index
                screen.put(line, x: max(0, (state.width - line.count) / 2), y: y, style: index == 0 ? .bold : .plain)
            }
            return screen
        }
        let full = Area(x: 0, y: 0, width: state.width, height: state.height)
        HeaderView(state: state).render(into: &screen, area: Area(x: 0, y: 0, width: state.width, height: 1))
        let body = state.height - 2
        let tableRows = min(state.visibleTunnels.count, max(3, body * 2 / 5)) + 1
        let tableHeight = max(2, min(tableRows, body - 5))
        TunnelTableView(state: state).render(into: &screen, area: Area(x: 0, y: 1, width: state.width, height: tableHeight))
        DetailView(state: state).render(into: &screen, area: Area(x: 0, y: 1 + tableHeight, width: state.width, height: body - tableHeight))
        FooterView(state: state).render(into: &screen, area: Area(x: 0, y: state.height - 1, width: state.width, height: 1))
        switch state.overlay {
        case .none: break
        case .help: HelpOverlay(state: state).render(into: &screen, area: full)
        case .confirm(let action): ConfirmOverlay(action: action, unicode: state.unicode).render(into: &screen, area: full)
        }
        return screen
    }
}
