import Synchronization
import TunnelManager

/// Hands news from async tasks (manager snapshots, signals) to the UI thread, and wakes it from its wait for
/// keys (the terminal backend's ``TerminalBackend/waker``).
final class DashboardMailbox: Sendable {
    private struct Contents {
        var snapshot: (tunnels: [TunnelStatus], log: [LogEntry])?
        var selectedName: String?
        var terminate = false
        var notice: String?
    }

    private let contents = Mutex(Contents())
    private let wake: @Sendable () -> Void

    /// A mailbox that calls `wake` whenever news arrives.
    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    /// The tunnel whose whole log the UI wants.
    var selectedName: String? {
        get { contents.withLock { $0.selectedName } }
        set { contents.withLock { $0.selectedName = newValue } }
    }

    func publish(tunnels: [TunnelStatus], log: [LogEntry]) {
        contents.withLock { $0.snapshot = (tunnels, log) }
        wake()
    }

    /// A line of feedback for the footer (e.g. the result of a reload).
    func publish(notice: String) {
        contents.withLock { $0.notice = notice }
        wake()
    }

    func requestTermination() {
        contents.withLock { $0.terminate = true }
        wake()
    }

    /// Takes what arrived since the last call.
    func take() -> (snapshot: (tunnels: [TunnelStatus], log: [LogEntry])?, notice: String?, terminate: Bool) {
        contents.withLock { contents in
            defer {
                contents.snapshot = nil
                contents.notice = nil
            }
            return (contents.snapshot, contents.notice, contents.terminate)
        }
    }
}
