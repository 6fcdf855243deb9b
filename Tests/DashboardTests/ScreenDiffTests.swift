import Testing
@testable import tunnel_tui

@Suite("dashboard: the frame diff")
struct ScreenDiffTests {
    /// `previous` with `changes` written over it, as a backend would.
    private func apply(_ changes: [ScreenChange], to previous: Screen) -> Screen {
        var screen = previous
        for change in changes {
            switch change {
            case .clear:
                screen = Screen(width: previous.width, height: previous.height)
            case .run(let x, let y, let cells):
                for (offset, cell) in cells.enumerated() { screen[x + offset, y] = cell }
            }
        }
        return screen
    }

    @Test("the same frame twice needs no change at all")
    func identical() {
        var screen = Screen(width: 20, height: 3)
        screen.put("tunnel-tui", x: 1, y: 1)
        #expect(screen.diff(from: screen).isEmpty)
    }

    @Test("only the cells that differ are written, one run per stretch of a row")
    func runs() {
        var before = Screen(width: 20, height: 3)
        before.put("pi-ssh   up", x: 0, y: 0)
        before.put("nas      failed", x: 0, y: 2)
        var after = before
        after.put("down", x: 9, y: 0)
        after.put("x", x: 0, y: 2)
        after.put("!", x: 19, y: 2)
        #expect(after.diff(from: before) == [
            .run(x: 9, y: 0, cells: "down".map { Cell(character: $0) }),
            .run(x: 0, y: 2, cells: [Cell(character: "x")]),
            .run(x: 19, y: 2, cells: [Cell(character: "!")]),
        ])
        #expect(apply(after.diff(from: before), to: before) == after)
    }

    @Test("a change of style alone is a change")
    func styleOnly() {
        var before = Screen(width: 10, height: 1)
        before.put("row", x: 0, y: 0)
        var after = before
        after.restyle(y: 0) { $0.reverse = true }
        #expect(after.diff(from: before) == [.run(x: 0, y: 0, cells: Array(repeating: Cell(), count: 10).enumerated().map { index, _ in
            Cell(character: index < 3 ? Array("row")[index] : " ", style: .reverse)
        })])
    }

    @Test("without a previous frame, or at another size, the terminal is cleared and every row written")
    func fullRedraw() {
        var screen = Screen(width: 4, height: 2)
        screen.put("ab", x: 1, y: 1)
        let expected: [ScreenChange] = [
            .clear,
            .run(x: 0, y: 0, cells: Array(repeating: Cell(), count: 4)),
            .run(x: 0, y: 1, cells: [Cell(), Cell(character: "a"), Cell(character: "b"), Cell()]),
        ]
        #expect(screen.diff(from: nil) == expected)
        #expect(screen.diff(from: Screen(width: 5, height: 2)) == expected)
        #expect(screen.diff(from: Screen(width: 4, height: 3)) == expected)
    }

    @Test("applying the diff to the previous frame gives the new frame, for rendered dashboards")
    func renderedFrames() {
        var state = SampleState.state(width: 80, height: 24)
        let before = DashboardRenderer.render(state)
        _ = DashboardUpdate.update(&state, .key(.character("j")))
        let after = DashboardRenderer.render(state)
        let changes = after.diff(from: before)
        #expect(!changes.isEmpty && !changes.contains(.clear))
        #expect(apply(changes, to: before) == after)
    }
}
