import Dispatch
import Synchronization
@testable import tunnel_tui

/// A ``TerminalBackend`` for tests, after ratatui's `TestBackend`: it applies every drawn diff to a screen of
/// its own and keeps each frame as text, plays a script of events, and records every call, so the runtime
/// loop runs without a terminal.
///
/// The script never waits on a clock: a ``Step/waitUntil(_:_:)`` step returns empty reads until news wakes
/// the runtime and the screen it drew satisfies the condition. A step not reached within a safety limit ends
/// the run with a hang-up and is reported in ``failures``.
final class TestBackend: TerminalBackend, Sendable {
    /// One step of the script that ``readEvents(timeout:)`` plays.
    enum Step: Sendable {
        /// These events, in one read.
        case events([TerminalEvent])
        /// Wait until the screen drawn so far satisfies `condition` (described for failures).
        case waitUntil(String, @Sendable (Screen) -> Bool)
        /// Run this on the UI thread between two reads (send a signal, change the manager's tunnels).
        case run(@Sendable () -> Void)
    }

    private struct Contents {
        var script: [Step]
        var size: TerminalSize
        var screen: Screen
        var frames: [String] = []
        var calls: [String] = []
        var failures: [String] = []
    }

    let capabilities: TerminalCapabilities
    private let contents: Mutex<Contents>
    private let wakeUps = DispatchSemaphore(value: 0)
    private let patience: DispatchTimeInterval

    /// A terminal of `size` playing `script`; `patience` bounds each wait (real time, only for failures).
    init(size: TerminalSize = TerminalSize(width: 80, height: 24),
         capabilities: TerminalCapabilities = TerminalCapabilities(colors: true, unicode: true),
         patience: DispatchTimeInterval = .seconds(20), script: [Step]) {
        self.capabilities = capabilities
        self.patience = patience
        contents = Mutex(Contents(script: script, size: size, screen: Screen(width: size.width, height: size.height)))
    }

    /// The screen as the last frame left it.
    var screen: Screen { contents.withLock { $0.screen } }
    /// Every frame drawn, as text.
    var frames: [String] { contents.withLock { $0.frames } }
    /// The calls in order: `enter`, `draw everything` (after a clear), `draw N runs`, `suspend`, `resume`, `restore`.
    var calls: [String] { contents.withLock { $0.calls } }
    /// What went wrong in the script (a wait never satisfied, a run outside the screen).
    var failures: [String] { contents.withLock { $0.failures } }

    var size: TerminalSize { contents.withLock { $0.size } }

    var waker: @Sendable () -> Void {
        { [wakeUps] in wakeUps.signal() }
    }

    func enter() { record("enter") }

    func restore() { record("restore") }

    func suspend() { record("suspend") }

    func resume() { record("resume") }

    func draw(_ changes: [ScreenChange]) {
        contents.withLock { contents in
            var cleared = false
            var runs = 0
            for change in changes {
                switch change {
                case .clear:
                    contents.screen = Screen(width: contents.size.width, height: contents.size.height)
                    cleared = true
                case .run(let x, let y, let cells):
                    runs += 1
                    guard y >= 0, y < contents.screen.height, x >= 0, x + cells.count <= contents.screen.width else {
                        contents.failures.append("a run outside the \(contents.screen.width)x\(contents.screen.height) screen at (\(x), \(y))")
                        continue
                    }
                    for (offset, cell) in cells.enumerated() { contents.screen[x + offset, y] = cell }
                }
            }
            contents.frames.append(contents.screen.text)
            contents.calls.append(cleared ? "draw everything" : "draw \(runs) runs")
        }
    }

    func readEvents(timeout: Duration) -> [TerminalEvent] {
        while true {
            let step = contents.withLock { $0.script.first }
            switch step {
            case .events(let events):
                contents.withLock { contents in
                    contents.script.removeFirst()
                    for case .resized(let size) in events { contents.size = size }
                }
                return events
            case .run(let action):
                contents.withLock { _ = $0.script.removeFirst() }
                action()
            case .waitUntil(let description, let condition):
                if condition(screen) {
                    contents.withLock { _ = $0.script.removeFirst() }
                    continue
                }
                return waitForNews(orFail: "never saw: \(description)")
            case nil:
                return waitForNews(orFail: "the script ended and the dashboard kept running")
            }
        }
    }

    /// Sleeps until the runtime is woken; after `patience`, gives up with a hang-up (which ends the run).
    private func waitForNews(orFail failure: String) -> [TerminalEvent] {
        guard wakeUps.wait(timeout: .now() + patience) == .timedOut else { return [] }
        contents.withLock { contents in
            contents.failures.append("\(failure); the screen:\n\(contents.screen.text)")
            contents.script = []
        }
        return [.hangup]
    }

    private func record(_ call: String) {
        contents.withLock { $0.calls.append(call) }
    }
}
