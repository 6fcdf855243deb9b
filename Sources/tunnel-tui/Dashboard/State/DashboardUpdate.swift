import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// The one place messages change the view state: `update(state, message) -> effects`.
enum DashboardUpdate {
    /// Applies `message` to `state` and returns what the runtime must do.
    static func update(_ state: inout ViewState, _ message: DashboardMessage) -> [DashboardEffect] {
        switch message {
        case .resize(let width, let height):
            state.width = width
            state.height = height
            return []
        case .tick(let now):
            state.now = now
            return []
        case .tunnels(let tunnels, let log):
            state.tunnels = tunnels
            state.selectedLog = log
            if state.selectedName == nil || !tunnels.contains(where: { $0.name == state.selectedName }) {
                state.selectedName = state.visibleTunnels.first?.name
            }
            return []
        case .notice(let text):
            state.notice = text
            return []
        case .terminate:
            state.quitting = true
            return [.quit]
        case .suspend:
            return [.suspend]
        case .key(let key):
            return handle(key, &state)
        }
    }

    private static func handle(_ key: Key, _ state: inout ViewState) -> [DashboardEffect] {
        if KeyBinding.binding(for: key, in: state.focus)?.action == .suspend {
            // Like htop: Ctrl-Z suspends whatever is open (an overlay, the filter being typed) and keeps it.
            return [.suspend]
        }
        switch state.overlay {
        case .help:
            // Arrows and j/k scroll a help that does not fit; any other key closes it.
            switch key {
            case .down, .character("j"), .pageDown:
                state.helpScroll = min(state.helpScroll + (key == .pageDown ? 10 : 1), max(0, HelpOverlay.lines().count - 1))
            case .up, .character("k"), .pageUp:
                state.helpScroll = max(0, state.helpScroll - (key == .pageUp ? 10 : 1))
            default:
                state.overlay = .none
            }
            return []
        case .confirm(let action):
            state.overlay = .none
            guard key == .character("y") || key == .character("Y") else {
                state.notice = "cancelled"
                return []
            }
            switch action {
            case .startAll:
                state.notice = "starting every tunnel"
                return [.startAll]
            case .stopAll:
                state.notice = "stopping every tunnel"
                return [.stopAll]
            case .quit, .detach:
                state.quitting = true
                return [.quit]
            }
        case .none:
            break
        }
        if state.editingFilter {
            return editFilter(key, &state)
        }
        guard let binding = KeyBinding.binding(for: key, in: state.focus) else {
            if key == .escape && !state.filter.isEmpty {
                state.filter = ""
                state.notice = "filter cleared"
            }
            return []
        }
        return perform(binding.action, &state)
    }

    private static func perform(_ action: KeyBinding.Action, _ state: inout ViewState) -> [DashboardEffect] {
        let visible = state.visibleTunnels
        let index = visible.firstIndex { $0.name == state.selected?.name } ?? 0
        switch (action, state.focus) {
        case (.moveDown, .table):
            select(visible, index + 1, &state)
        case (.moveUp, .table):
            select(visible, index - 1, &state)
        case (.first, .table):
            select(visible, 0, &state)
        case (.last, .table):
            select(visible, visible.count - 1, &state)
        case (.focusLog, _):
            if state.selected != nil { state.focus = .log }
        case (.back, _):
            state.focus = .table
        case (.moveUp, .log):
            scrollLog(by: 1, &state)
        case (.moveDown, .log):
            scrollLog(by: -1, &state)
        case (.pageUp, _):
            scrollLog(by: max(1, state.height / 3), &state)
        case (.pageDown, _):
            scrollLog(by: -max(1, state.height / 3), &state)
        case (.first, .log):
            state.logScrollBack = max(0, state.selectedLog.count - 1)
        case (.last, .log), (.follow, _):
            state.logScrollBack = 0
        case (.start, _), (.stop, _), (.restart, _):
            guard let tunnel = state.selected else { return [] }
            return act(action, on: tunnel, &state)
        case (.startAll, _):
            state.overlay = .confirm(.startAll)
        case (.stopAll, _):
            state.overlay = .confirm(.stopAll)
        case (.filter, _):
            state.editingFilter = true
        case (.help, _):
            state.overlay = .help
            state.helpScroll = 0
        case (.quit, _):
            let running = state.runningCount
            if !state.ownsTunnels {
                state.overlay = .confirm(.detach(running: running))
            } else if running > 0 {
                state.overlay = .confirm(.quit(running: running))
            } else {
                state.quitting = true
                return [.quit]
            }
        case (.redraw, _):
            return [.repaint]
        case (.reload, _):
            state.notice = "reloading the config"
            return [.reload]
        default:
            break
        }
        return []
    }

    private static func act(_ action: KeyBinding.Action, on tunnel: TunnelStatus, _ state: inout ViewState) -> [DashboardEffect] {
        guard let position = state.tunnels.firstIndex(where: { $0.name == tunnel.name }) else { return [] }
        // Feedback at once: the row changes before the manager has even answered.
        switch action {
        case .start:
            state.notice = "starting \(tunnel.name)"
            if !state.tunnels[position].state.isActive { state.tunnels[position].state = .connecting }
            return [.start(tunnel.name)]
        case .stop:
            state.notice = "stopping \(tunnel.name)"
            state.tunnels[position].state = .stopped
            return [.stop(tunnel.name)]
        default:
            state.notice = "restarting \(tunnel.name)"
            state.tunnels[position].state = .connecting
            return [.restart(tunnel.name)]
        }
    }

    private static func editFilter(_ key: Key, _ state: inout ViewState) -> [DashboardEffect] {
        switch key {
        case .enter, .tab:
            state.editingFilter = false
        case .escape:
            state.editingFilter = false
            state.filter = ""
        case .backspace:
            if !state.filter.isEmpty { state.filter.removeLast() }
        case .character(let character):
            state.filter.append(character)
        case .controlC:
            state.editingFilter = false
            return perform(.quit, &state)
        default:
            break
        }
        if let first = state.visibleTunnels.first, !state.visibleTunnels.contains(where: { $0.name == state.selectedName }) {
            state.selectedName = first.name
            state.logScrollBack = 0
        }
        return []
    }

    private static func select(_ visible: [TunnelStatus], _ index: Int, _ state: inout ViewState) {
        guard !visible.isEmpty else { return }
        let clamped = min(max(index, 0), visible.count - 1)
        if visible[clamped].name != state.selectedName {
            state.selectedName = visible[clamped].name
            state.logScrollBack = 0
            state.selectedLog = []
        }
    }

    private static func scrollLog(by lines: Int, _ state: inout ViewState) {
        state.logScrollBack = min(max(0, state.logScrollBack + lines), max(0, state.selectedLog.count - 1))
    }
}
