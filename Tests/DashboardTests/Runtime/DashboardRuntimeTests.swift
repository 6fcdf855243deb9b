import Testing
import TunnelManager
@testable import tunnel_tui

/// The runtime loop with a ``TestBackend`` for the terminal and a ``FakeDashboardBackend`` for the manager:
/// keys in, frames out, no terminal and no tmux.
@Suite("dashboard: the runtime loop on a test backend")
struct DashboardRuntimeTests {
    /// The sample tunnels are on screen (the first snapshot arrived).
    static let loaded = TestBackend.Step.waitUntil("the sample tunnels") { $0.text.contains("media") }
    /// Quit, confirming that the running tunnels stop.
    static let quit = TestBackend.Step.events([.key(.character("q")), .key(.character("y"))])

    /// Runs the dashboard until it quits; returns once it did.
    private func run(_ terminal: TestBackend, backend: FakeDashboardBackend = FakeDashboardBackend(),
                     terminationSignal: @escaping @Sendable () async -> Void = { for await _ in AsyncStream<Void>.makeStream().stream {} }) async {
        await DashboardRuntime(backend: backend, configPath: "/etc/tunnel-tui/config.toml", terminationSignal: terminationSignal)
            .run(on: terminal)
        #expect(terminal.failures.isEmpty, "\(terminal.failures.joined(separator: "\n"))")
    }

    private static func selectedRow(_ screen: Screen) -> String {
        screen.text.split(separator: "\n").first { $0.hasPrefix("▶") }.map(String.init) ?? ""
    }

    @Test("the first frame clears and draws everything, in the terminal's size and capabilities")
    func firstFrame() async {
        let terminal = TestBackend(size: TerminalSize(width: 100, height: 30),
                                   capabilities: TerminalCapabilities(colors: false, unicode: false), script: [Self.loaded, Self.quit])
        await run(terminal)
        #expect(terminal.calls.prefix(2) == ["enter", "draw everything"])
        #expect(terminal.screen.width == 100 && terminal.screen.height == 30)
        #expect(terminal.screen.text.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII symbols without UTF-8")
        #expect(!terminal.screen.styleMap.contains { "GYRCB".contains($0) }, "no colour without colours")
    }

    @Test("j moves the selection: only the changed runs are drawn and the detail pane follows")
    func selectionMoves() async {
        let terminal = TestBackend(script: [
            Self.loaded,
            .events([.key(.character("j"))]),
            .waitUntil("home-assistant selected") { DashboardRuntimeTests.selectedRow($0).contains("home-assistant") },
            Self.quit,
        ])
        await run(terminal)
        let frame = terminal.frames.first { $0.contains("▶● up          home-assistant") }
        #expect(frame?.contains("── home-assistant ──") == true, "\(frame ?? terminal.frames.last ?? "")")
        let drawsAfterLoading = terminal.calls.drop { $0 != "enter" }.dropFirst(2)
        #expect(drawsAfterLoading.contains { $0.hasSuffix("runs") }, "later frames are diffs: \(terminal.calls)")
    }

    @Test("? opens the help overlay and any key closes it")
    func help() async {
        let terminal = TestBackend(script: [
            Self.loaded,
            .events([.key(.character("?"))]),
            .waitUntil("the help") { $0.text.contains("stop the selected tunnel") },
            .events([.key(.escape)]),
            .waitUntil("the help closed") { !$0.text.contains("stop the selected tunnel") },
            Self.quit,
        ])
        await run(terminal)
    }

    @Test("a resize clears and redraws the whole screen at the new size")
    func resize() async {
        let terminal = TestBackend(size: TerminalSize(width: 120, height: 40), script: [
            Self.loaded,
            .events([.resized(TerminalSize(width: 60, height: 20))]),
            .waitUntil("the 60x20 layout") { $0.width == 60 && $0.text.contains("STATE") },
            Self.quit,
        ])
        await run(terminal)
        let lastResize = terminal.calls.lastIndex(of: "draw everything") ?? 0
        #expect(lastResize > 1, "a second full draw after the resize: \(terminal.calls)")
        #expect(terminal.screen.width == 60 && terminal.screen.height == 20)
        #expect(terminal.frames.last?.split(separator: "\n").allSatisfy { $0.count <= 60 } == true)
    }

    @Test("Ctrl-L redraws every cell")
    func redraw() async {
        let terminal = TestBackend(script: [Self.loaded, .events([.key(.controlL)]), Self.quit])
        await run(terminal)
        #expect(terminal.calls.filter { $0 == "draw everything" }.count == 2, "\(terminal.calls)")
    }

    @Test("keys reach the manager side as effects, and its answers reach the footer")
    func effects() async {
        let backend = FakeDashboardBackend()
        let terminal = TestBackend(size: TerminalSize(width: 140, height: 30), script: [
            Self.loaded,
            .events([.key(.character("j")), .key(.character("r"))]),
            .waitUntil("the backend's answer") { $0.text.contains("done: restart(\"home-assistant\")") },
            Self.quit,
        ])
        await run(terminal, backend: backend)
        #expect(backend.effects == [.restart("home-assistant")])
    }

    @Test("q asks first, y quits: the terminal is restored exactly once, last, and the backend finished once")
    func quit() async {
        let backend = FakeDashboardBackend()
        let terminal = TestBackend(script: [
            Self.loaded,
            .events([.key(.character("q"))]),
            .waitUntil("the question") { $0.text.contains("Quit and stop 5 running tunnels?") },
            .events([.key(.character("y"))]),
        ])
        await run(terminal, backend: backend)
        #expect(terminal.calls.filter { $0 == "restore" }.count == 1)
        #expect(terminal.calls.last == "restore")
        #expect(backend.finishCount == 1)
    }

    @Test("a termination signal quits without asking and restores the terminal once")
    func terminationSignal() async {
        let (signals, send) = AsyncStream<Void>.makeStream()
        let terminal = TestBackend(script: [Self.loaded, .run { send.yield() }])
        await run(terminal, terminationSignal: { for await _ in signals { return } })
        #expect(terminal.calls.filter { $0 == "restore" }.count == 1)
        #expect(terminal.calls.last == "restore")
        #expect(!terminal.frames.contains { $0.contains("Quit and stop") })
    }

    @Test("a terminal that hangs up ends the dashboard like SIGHUP")
    func hangup() async {
        let backend = FakeDashboardBackend()
        let terminal = TestBackend(script: [Self.loaded, .events([.hangup])])
        await run(terminal, backend: backend)
        #expect(terminal.calls.last == "restore")
        #expect(backend.finishCount == 1)
    }

    @Test("news from the manager is drawn without a key")
    func managerNews() async {
        let backend = FakeDashboardBackend()
        var stopped = SampleState.tunnels
        stopped[0].state = .stopped
        let changed = stopped
        let terminal = TestBackend(script: [
            Self.loaded,
            .run { backend.update(changed) },
            .waitUntil("pi-ssh stopped") { DashboardRuntimeTests.selectedRow($0).contains("stopped") },
            Self.quit,
        ])
        await run(terminal, backend: backend)
    }

    @Test("Ctrl-Z suspends then resumes the terminal and redraws every cell; the dashboard still answers keys")
    func controlZ() async {
        let terminal = TestBackend(script: [
            Self.loaded,
            .events([.key(.character("?")), .key(.controlZ)]),
            .waitUntil("the help, still open") { $0.text.contains("stop the selected tunnel") },
            .events([.key(.escape), .key(.character("j"))]),
            .waitUntil("home-assistant selected") { DashboardRuntimeTests.selectedRow($0).contains("home-assistant") },
            Self.quit,
        ])
        await run(terminal)
        let calls = terminal.calls
        let suspend = calls.firstIndex(of: "suspend")
        #expect(suspend != nil, "\(calls)")
        if let suspend {
            #expect(Array(calls[suspend...].prefix(3)) == ["suspend", "resume", "draw everything"], "\(calls)")
        }
        #expect(calls.filter { $0 == "restore" }.count == 1)
    }

    @Test("SIGTSTP from outside suspends like Ctrl-Z")
    func stopSignal() async {
        let terminal = TestBackend(script: [Self.loaded, .events([.suspendRequested]), Self.quit])
        await run(terminal)
        let calls = terminal.calls
        let suspend = calls.firstIndex(of: "suspend") ?? calls.endIndex
        #expect(Array(calls[suspend...].prefix(3)) == ["suspend", "resume", "draw everything"], "\(calls)")
    }

    @Test("continued after a stop it did not ask for (SIGSTOP, fg), it takes the terminal back and redraws every cell")
    func continued() async {
        let terminal = TestBackend(script: [Self.loaded, .events([.continued]), Self.quit])
        await run(terminal)
        let calls = terminal.calls
        let resume = calls.firstIndex(of: "resume") ?? calls.endIndex
        #expect(Array(calls[resume...].prefix(2)) == ["resume", "draw everything"], "\(calls)")
        #expect(!calls.contains("suspend"))
    }
}
