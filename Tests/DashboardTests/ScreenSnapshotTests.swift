import Foundation
import Testing
import TunnelManager
@testable import tunnel_tui

@Suite("dashboard: rendered screens")
struct ScreenSnapshotTests {
    @Test("80x24 in colour shows every tunnel with state words, symbols and colours")
    func standard80x24() {
        SnapshotAssertion.assertSnapshot(DashboardRenderer.render(SampleState.state(width: 80, height: 24)), named: "80x24-colour", withStyles: true)
    }

    @Test("120x40 in colour shows every column, the detail pane and the log")
    func wide120x40() {
        SnapshotAssertion.assertSnapshot(DashboardRenderer.render(SampleState.state(width: 120, height: 40)), named: "120x40-colour", withStyles: true)
    }

    @Test("NO_COLOR keeps the words, symbols, bold and reverse, with no colour anywhere")
    func noColor() {
        let screen = DashboardRenderer.render(SampleState.state(width: 80, height: 24, colors: false))
        #expect(!screen.styleMap.contains { "GYRCB".contains($0) })
        SnapshotAssertion.assertSnapshot(screen, named: "80x24-no-color", withStyles: true)
    }

    @Test("an ASCII locale gets ASCII symbols and sparkline")
    func ascii() {
        let screen = DashboardRenderer.render(SampleState.state(width: 120, height: 40, colors: false, unicode: false))
        #expect(screen.text.unicodeScalars.allSatisfy { $0.isASCII })
        SnapshotAssertion.assertSnapshot(screen, named: "120x40-ascii", withStyles: false)
    }

    @Test("below 60x12 a plain message says so")
    func tooSmall() {
        let screen = DashboardRenderer.render(SampleState.state(width: 50, height: 10))
        #expect(screen.text.contains("terminal too small: 50 x 10"))
        #expect(screen.text.contains("needs 60 x 12"))
        SnapshotAssertion.assertSnapshot(screen, named: "50x10-too-small", withStyles: false)
    }

    @Test("narrow terminals drop the least important columns first and keep state, name, latency and event")
    func narrowColumns() {
        let at60 = TableColumn.layout(width: 59).map(\.column)
        #expect(at60.contains(.state) && at60.contains(.name) && at60.contains(.latency) && at60.contains(.event))
        #expect(!at60.contains(.local) && !at60.contains(.trend))
        let at120 = TableColumn.layout(width: 119).map(\.column)
        #expect(at120 == TableColumn.allCases.filter { $0 != .connection }, "everything but the connection fits at 120")
        #expect(TableColumn.layout(width: 139).map(\.column) == TableColumn.allCases, "everything fits at 140")
        let screen = DashboardRenderer.render(SampleState.state(width: 60, height: 20))
        #expect(screen.text.split(separator: "\n").allSatisfy { $0.count <= 60 })
    }

    @Test("the help overlay lists every key of the binding table")
    func helpOverlay() {
        var state = SampleState.state(width: 100, height: 40)
        _ = DashboardUpdate.update(&state, .key(.character("?")))
        let screen = DashboardRenderer.render(state)
        for binding in KeyBinding.all {
            #expect(screen.text.contains(binding.help), "help shows \(binding.help)")
        }
        SnapshotAssertion.assertSnapshot(screen, named: "100x40-help", withStyles: false)
    }

    @Test("untrusted log text cannot move the cursor or spill into other rows")
    func untrustedText() {
        var state = SampleState.state(width: 80, height: 24)
        let evil = "evil\u{1B}[2J\u{1B}[H\r\nsecond line\u{07}" + String(repeating: "x", count: 300)
        state.selectedLog.append(LogEntry(time: SampleState.now, origin: .ssh, text: TerminalText.sanitize(evil)))
        state.selectedLog.append(LogEntry(time: SampleState.now, origin: .ssh, text: evil))
        let screen = DashboardRenderer.render(state)
        let rows = screen.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.count == 24)
        #expect(rows.allSatisfy { $0.count <= 80 })
        #expect(screen.cells.allSatisfy { $0.character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F } })
        let evilRows = rows.filter { $0.contains("evil") }
        #expect(evilRows.count == 2, "each log line stays on its own row")
        #expect(evilRows.allSatisfy { $0.count == 79 && $0.hasSuffix("x") }, "cut at the edge: \(evilRows)")
        #expect(!rows.contains { $0.hasPrefix("second line") }, "no line break reaches the screen")
    }
}
