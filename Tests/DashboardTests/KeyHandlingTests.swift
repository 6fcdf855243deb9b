import Foundation
import Testing
import TunnelManager
@testable import tunnel_tui

@Suite("dashboard: keys and actions")
struct KeyHandlingTests {
    private func press(_ keys: [Key], _ state: inout ViewState) -> [DashboardEffect] {
        keys.flatMap { DashboardUpdate.update(&state, .key($0)) }
    }

    @Test("j/k and arrows move the selection; g/G and Home/End jump")
    func movement() {
        var state = SampleState.state(width: 80, height: 24)
        #expect(state.selected?.name == "pi-ssh")
        _ = press([.character("j"), .down], &state)
        #expect(state.selected?.name == "grafana")
        _ = press([.character("k")], &state)
        #expect(state.selected?.name == "home-assistant")
        _ = press([.up, .up, .up], &state)
        #expect(state.selected?.name == "pi-ssh", "stops at the top")
        _ = press([.character("G")], &state)
        #expect(state.selected?.name == "media")
        _ = press([.home], &state)
        #expect(state.selected?.name == "pi-ssh")
        _ = press([.end], &state)
        #expect(state.selected?.name == "media")
        _ = press([.character("g")], &state)
        #expect(state.selected?.name == "pi-ssh")
    }

    @Test("s, x and r act on the selected tunnel and change its row at once")
    func startStopRestart() {
        var state = SampleState.state(width: 80, height: 24)
        #expect(press([.character("x")], &state) == [.stop("pi-ssh")])
        #expect(state.tunnels[0].state == .stopped, "feedback before the manager answers")
        #expect(state.notice == "stopping pi-ssh")
        #expect(press([.character("s")], &state) == [.start("pi-ssh")])
        #expect(state.tunnels[0].state == .connecting)
        #expect(press([.character("r")], &state) == [.restart("pi-ssh")])
        _ = press([.character("G")], &state)
        #expect(press([.character("s")], &state) == [.start("media")])
    }

    @Test("S and X ask first; y confirms, anything else cancels")
    func startStopAll() {
        var state = SampleState.state(width: 80, height: 24)
        #expect(press([.character("X")], &state).isEmpty)
        #expect(state.overlay == .confirm(.stopAll))
        #expect(press([.character("y")], &state) == [.stopAll])
        #expect(press([.character("S"), .character("n")], &state).isEmpty)
        #expect(state.overlay == .none)
        #expect(state.notice == "cancelled")
        #expect(press([.character("S"), .character("y")], &state) == [.startAll])
    }

    @Test("Enter and Tab focus the log; arrows and PgUp/PgDn scroll; f follows; Esc goes back")
    func logFocus() {
        var state = SampleState.state(width: 80, height: 24)
        _ = press([.enter], &state)
        #expect(state.focus == .log)
        _ = press([.up, .up], &state)
        #expect(state.logScrollBack == 2)
        _ = press([.down], &state)
        #expect(state.logScrollBack == 1)
        _ = press([.pageUp], &state)
        #expect(state.logScrollBack == 5, "clamped to the log's length")
        _ = press([.character("f")], &state)
        #expect(state.logScrollBack == 0)
        _ = press([.escape], &state)
        #expect(state.focus == .table)
        _ = press([.tab], &state)
        #expect(state.focus == .log)
        _ = press([.tab], &state)
        #expect(state.focus == .table)
    }

    @Test("/ filters by name as you type; Enter keeps it; Esc clears it")
    func filter() {
        var state = SampleState.state(width: 80, height: 24)
        _ = press([.character("/"), .character("n"), .character("a")], &state)
        #expect(state.editingFilter)
        #expect(state.visibleTunnels.map(\.name) == ["grafana", "nas"])
        #expect(state.selected?.name == "grafana")
        _ = press([.backspace, .character("a"), .enter], &state)
        #expect(!state.editingFilter)
        #expect(state.filter == "na")
        #expect(press([.character("x")], &state) == [.stop("grafana")], "actions apply to the filtered selection")
        _ = press([.escape], &state)
        #expect(state.filter.isEmpty)
        #expect(state.visibleTunnels.count == 6)
    }

    @Test("? opens the help and any key closes it")
    func help() {
        var state = SampleState.state(width: 80, height: 24)
        _ = press([.character("?")], &state)
        #expect(state.overlay == .help)
        #expect(press([.character("x")], &state).isEmpty, "the key closes the help and does nothing else")
        #expect(state.overlay == .none)
    }

    @Test("q and Ctrl-C ask before stopping running tunnels; with none running they quit at once")
    func quit() {
        var state = SampleState.state(width: 80, height: 24)
        #expect(press([.character("q")], &state).isEmpty)
        #expect(state.overlay == .confirm(.quit(running: 5)))
        #expect(press([.character("n")], &state).isEmpty)
        #expect(!state.quitting)
        _ = press([.controlC], &state)
        #expect(press([.character("y")], &state) == [.quit])
        #expect(state.quitting)

        var idle = SampleState.state(width: 80, height: 24)
        idle.tunnels = idle.tunnels.map { var copy = $0; copy.state = .stopped; return copy }
        #expect(press([.character("q")], &idle) == [.quit])
    }

    @Test("SIGTERM/SIGHUP quit without asking; Ctrl-L repaints; resize re-lays out")
    func messages() {
        var state = SampleState.state(width: 80, height: 24)
        #expect(press([.controlL], &state) == [.repaint])
        _ = DashboardUpdate.update(&state, .resize(width: 60, height: 20))
        #expect(DashboardRenderer.render(state).width == 60)
        #expect(DashboardUpdate.update(&state, .terminate) == [.quit])
        #expect(state.quitting)
    }

    @Test("Ctrl-Z and SIGTSTP suspend from the table, the log pane, an overlay or the filter, and leave them as they were")
    func suspend() {
        var state = SampleState.state(width: 80, height: 24)
        #expect(press([.controlZ], &state) == [.suspend])
        #expect(DashboardUpdate.update(&state, .suspend) == [.suspend])
        _ = press([.enter], &state)
        #expect(press([.controlZ], &state) == [.suspend])
        #expect(state.focus == .log)
        _ = press([.character("?")], &state)
        #expect(press([.controlZ], &state) == [.suspend])
        #expect(state.overlay == .help, "the help stays open")
        _ = press([.escape, .escape, .character("/"), .character("n")], &state)
        #expect(press([.controlZ], &state) == [.suspend])
        #expect(state.editingFilter && state.filter == "n", "the filter being typed stays")
        #expect(!state.quitting)
    }

    @Test("every binding appears in the help overlay's lines, and the footer shows only keys that work in the focus")
    func bindingTableDrivesEverything() {
        let lines = HelpOverlay.lines().joined(separator: "\n")
        for binding in KeyBinding.all { #expect(lines.contains(binding.help)) }
        var state = SampleState.state(width: 120, height: 30)
        let tableFooter = DashboardRenderer.render(state).text.split(separator: "\n").last ?? ""
        #expect(tableFooter.contains("x stop") && !tableFooter.contains("f follow"))
        _ = DashboardUpdate.update(&state, .key(.enter))
        let logFooter = DashboardRenderer.render(state).text.split(separator: "\n").last ?? ""
        #expect(logFooter.contains("f follow") && !logFooter.contains("x stop"))
    }
}

@Suite("dashboard: attached to a daemon")
struct AttachedKeyTests {
    @Test("attached, q asks to detach and says the tunnels keep running")
    func detach() {
        var state = SampleState.state(width: 80, height: 24)
        state.ownsTunnels = false
        #expect(DashboardUpdate.update(&state, .key(.character("q"))).isEmpty)
        #expect(state.overlay == .confirm(.detach(running: 5)))
        #expect(ConfirmAction.detach(running: 5).question == "Detach? 5 tunnels keep running in the daemon.")
        #expect(DashboardUpdate.update(&state, .key(.character("y"))) == [.quit])
    }

    @Test("R asks for a reload and its result shows in the footer")
    func reload() {
        var state = SampleState.state(width: 120, height: 30)
        #expect(DashboardUpdate.update(&state, .key(.character("R"))) == [.reload])
        _ = DashboardUpdate.update(&state, .notice("reloaded: added web; 2 unchanged"))
        #expect(DashboardRenderer.render(state).text.contains("reloaded: added web; 2 unchanged"))
    }
}

@Suite("dashboard: help on a small terminal")
struct HelpScrollTests {
    @Test("at 80x24 the help scrolls with the arrows so every key can be read, and another key closes it")
    func scroll() {
        var state = SampleState.state(width: 80, height: 24)
        _ = DashboardUpdate.update(&state, .key(.character("?")))
        var seen = ""
        for _ in 0..<40 {
            seen += DashboardRenderer.render(state).text
            _ = DashboardUpdate.update(&state, .key(.down))
        }
        #expect(state.overlay == .help, "arrows scroll, they do not close")
        for binding in KeyBinding.all {
            #expect(seen.contains(binding.help), "reachable: \(binding.help)")
        }
        #expect(DashboardRenderer.render(state).text.contains("arrows scroll"))
        _ = DashboardUpdate.update(&state, .key(.character("x")))
        #expect(state.overlay == .none)
    }
}
