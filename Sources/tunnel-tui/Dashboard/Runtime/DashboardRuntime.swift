import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// Runs the dashboard: a UI thread that owns the terminal backend (keys, resize, clock, drawing) and tasks
/// that feed it manager snapshots. Keys become messages, `DashboardUpdate` turns them into effects, effects
/// call the manager without waiting. The manager never waits on the UI.
final class DashboardRuntime: Sendable {
    /// The least time between two screens' worth of news from the backend.
    static let frameInterval: Duration = .milliseconds(33)

    private let backend: any DashboardBackend
    private let configPath: String
    private let terminationSignal: @Sendable () async -> Void

    /// A dashboard over `backend`; it quits when `terminationSignal` returns (by default at SIGINT, SIGTERM
    /// or SIGHUP, through ``SignalWaiter``).
    init(backend: any DashboardBackend, configPath: String,
         terminationSignal: @escaping @Sendable () async -> Void = { _ = await SignalWaiter().next() }) {
        self.backend = backend
        self.configPath = configPath
        self.terminationSignal = terminationSignal
    }

    /// Shows the dashboard on `terminal` until the user quits or a signal arrives; then ends every child.
    func run(on terminal: sending any TerminalBackend) async {
        let mailbox = DashboardMailbox(wake: terminal.waker)
        let triggers = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let changes = await backend.changes()
        let forwarder = Task {
            for await _ in changes { triggers.continuation.yield() }
            // The daemon went away (or the manager shut down): leave the screen.
            mailbox.requestTermination()
        }
        let feeder = Task { [backend] in
            for await _ in triggers.stream {
                let tunnels = await backend.snapshot()
                let log = await mailbox.selectedName.asyncMap { await backend.log(of: $0) } ?? []
                mailbox.publish(tunnels: tunnels, log: log)
                try? await Task.sleep(for: Self.frameInterval)
            }
        }
        let signalWatcher = Task { [terminationSignal] in
            await terminationSignal()
            if !Task.isCancelled { mailbox.requestTermination() }
        }
        triggers.continuation.yield()
        let handedOver = UncheckedSendable(terminal)
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            DetachedThread.start { [self] in
                runInterface(on: handedOver.value, mailbox: mailbox, refresh: { triggers.continuation.yield() })
                finished.resume()
            }
        }
        signalWatcher.cancel()
        let running = await backend.snapshot().filter { $0.state.isActive }.count
        if backend.ownsTunnels && running > 0 {
            Self.tell("tunnel-tui: stopping \(running) tunnel\(running == 1 ? "" : "s")...")
        } else if !backend.ownsTunnels {
            Self.tell("tunnel-tui: detached; \(running) tunnel\(running == 1 ? "" : "s") keep running in the daemon")
        }
        await backend.finish()
        forwarder.cancel()
        feeder.cancel()
    }

    /// Writes a line to standard error, whatever happens: after a hang-up it is a terminal that is gone, where
    /// `FileHandle.write` traps (the dashboard died with SIGILL instead of stopping its tunnels).
    private static func tell(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// The UI loop, on its own thread: wait for keys or news, update, draw what changed.
    private func runInterface(on terminal: any TerminalBackend, mailbox: DashboardMailbox, refresh: @Sendable () -> Void) {
        terminal.enter()
        defer { terminal.restore() }
        let size = terminal.size
        var state = ViewState(configPath: configPath, width: size.width, height: size.height,
                              colors: terminal.capabilities.colors, unicode: terminal.capabilities.unicode)
        state.ownsTunnels = backend.ownsTunnels
        var shown: Screen?
        func show() {
            let screen = DashboardRenderer.render(state)
            terminal.draw(screen.diff(from: shown))
            shown = screen
        }
        show()
        var lastSecond = Int(Date().timeIntervalSince1970)
        while !state.quitting {
            let untilNextSecond = max(1, (1 - Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1)) * 1000)
            var messages: [DashboardMessage] = []
            for event in terminal.readEvents(timeout: .milliseconds(untilNextSecond)) {
                switch event {
                case .key(let key):
                    messages.append(.key(key))
                case .resized(let size):
                    messages.append(.resize(width: size.width, height: size.height))
                    shown = nil
                case .hangup:
                    // The terminal is gone (SSH link dropped, tmux killed): stop like SIGHUP.
                    messages.append(.terminate)
                case .suspendRequested:
                    messages.append(.suspend)
                case .continued:
                    terminal.resume()
                    let size = terminal.size
                    messages.append(.resize(width: size.width, height: size.height))
                    shown = nil
                }
            }
            let news = mailbox.take()
            if let snapshot = news.snapshot { messages.append(.tunnels(snapshot.tunnels, selectedLog: snapshot.log)) }
            if let notice = news.notice { messages.append(.notice(notice)) }
            if news.terminate { messages.append(.terminate) }
            let second = Int(Date().timeIntervalSince1970)
            if second != lastSecond {
                lastSecond = second
                messages.append(.tick(Date()))
            }
            guard !messages.isEmpty else { continue }

            let selectedBefore = state.selected?.name
            var pendingMessages = messages[...]
            while let message = pendingMessages.popFirst() {
                for effect in DashboardUpdate.update(&state, message) {
                    switch effect {
                    case .repaint:
                        shown = nil
                    case .suspend:
                        terminal.suspend()
                        terminal.resume()
                        // The size may have changed meanwhile; every cell is drawn again either way.
                        let size = terminal.size
                        pendingMessages.append(.resize(width: size.width, height: size.height))
                        shown = nil
                    case .quit:
                        break
                    default:
                        Task { [backend] in
                            if let notice = await backend.perform(effect) { mailbox.publish(notice: notice) }
                        }
                    }
                }
            }
            if state.selected?.name != selectedBefore || mailbox.selectedName != state.selected?.name {
                mailbox.selectedName = state.selected?.name
                refresh()
            }
            show()
        }
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<Result>(_ transform: (Wrapped) async -> Result) async -> Result? {
        guard let value = self else { return nil }
        return await transform(value)
    }
}
