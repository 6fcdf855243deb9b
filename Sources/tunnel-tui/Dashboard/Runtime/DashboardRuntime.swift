import Foundation
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// Runs the dashboard: a UI thread that owns the terminal (keys, resize, clock, drawing) and tasks that feed
/// it manager snapshots. Keys become messages, `DashboardUpdate` turns them into effects, effects call the
/// manager without waiting. The manager never waits on the UI.
final class DashboardRuntime: Sendable {
    private let backend: any DashboardBackend
    private let configPath: String
    private let mailbox = DashboardMailbox()

    init(backend: any DashboardBackend, configPath: String) {
        self.backend = backend
        self.configPath = configPath
    }

    /// Shows the dashboard until the user quits or a signal arrives; then ends every child.
    func run() async {
        let signals = SignalWaiter()
        let triggers = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let changes = await backend.changes()
        let forwarder = Task { [mailbox] in
            for await _ in changes { triggers.continuation.yield() }
            // The daemon went away (or the manager shut down): leave the screen.
            mailbox.requestTermination()
        }
        let feeder = Task { [backend, mailbox] in
            for await _ in triggers.stream {
                let tunnels = await backend.snapshot()
                let log = await mailbox.selectedName.asyncMap { await backend.log(of: $0) } ?? []
                mailbox.publish(tunnels: tunnels, log: log)
                try? await Task.sleep(for: .milliseconds(33))
            }
        }
        let signalWatcher = Task { [mailbox] in
            _ = await signals.next()
            mailbox.requestTermination()
        }
        triggers.continuation.yield()
        let colors = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        let unicode = NcursesTerminal.localeIsUTF8
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [self] in
                runInterface(colors: colors, unicode: unicode, refresh: { triggers.continuation.yield() })
                finished.resume()
            }
        }
        signalWatcher.cancel()
        let running = await backend.snapshot().filter { $0.state.isActive }.count
        if backend.ownsTunnels && running > 0 {
            FileHandle.standardError.write(Data("tunnel-tui: stopping \(running) tunnel\(running == 1 ? "" : "s")...\n".utf8))
        } else if !backend.ownsTunnels {
            FileHandle.standardError.write(Data("tunnel-tui: detached; \(running) tunnel\(running == 1 ? "" : "s") keep running in the daemon\n".utf8))
        }
        await backend.finish()
        forwarder.cancel()
        feeder.cancel()
    }

    /// The UI loop, on its own thread: poll keyboard and wake pipe, update, draw.
    private func runInterface(colors wantColors: Bool, unicode: Bool, refresh: @Sendable () -> Void) {
        let terminal = NcursesTerminal(wantColors: wantColors)
        defer { terminal.restore() }
        let size = terminal.size
        var state = ViewState(configPath: configPath, width: size.width, height: size.height, colors: terminal.colors, unicode: unicode)
        state.ownsTunnels = backend.ownsTunnels
        terminal.draw(DashboardRenderer.render(state), full: true)
        var lastSecond = Int(Date().timeIntervalSince1970)
        while !state.quitting {
            let now = Date()
            let untilNextSecond = Int32(max(1, (1 - now.timeIntervalSince1970.truncatingRemainder(dividingBy: 1)) * 1000))
            var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
            _ = poll(&descriptors, 2, untilNextSecond)

            var messages: [DashboardMessage] = []
            if descriptors[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // The terminal is gone (SSH link dropped, tmux killed): stop like SIGHUP, never spin on it.
                messages.append(.terminate)
            }
            let input = terminal.pendingInput()
            if input.resized {
                let size = terminal.size
                messages.append(.resize(width: size.width, height: size.height))
            }
            messages += input.keys.map(DashboardMessage.key)
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
            var repaint = false
            for message in messages {
                for effect in DashboardUpdate.update(&state, message) {
                    repaint = perform(effect) || repaint
                }
            }
            if state.selected?.name != selectedBefore || mailbox.selectedName != state.selected?.name {
                mailbox.selectedName = state.selected?.name
                refresh()
            }
            terminal.draw(DashboardRenderer.render(state), full: repaint || input.resized)
        }
    }

    /// Starts an effect against the backend without waiting; returns whether the screen must be repainted.
    private func perform(_ effect: DashboardEffect) -> Bool {
        switch effect {
        case .repaint:
            return true
        case .quit:
            return false
        default:
            let backend = self.backend
            let mailbox = self.mailbox
            Task {
                if let notice = await backend.perform(effect) { mailbox.publish(notice: notice) }
            }
            return false
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
