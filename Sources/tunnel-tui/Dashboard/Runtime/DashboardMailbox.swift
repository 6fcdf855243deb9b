import Foundation
import Synchronization
import TunnelManager

/// Hands news from async tasks (manager snapshots, signals) to the UI thread, and wakes it through a pipe
/// it polls together with the keyboard.
final class DashboardMailbox: Sendable {
    private struct Contents {
        var snapshot: (tunnels: [TunnelStatus], log: [LogEntry])?
        var selectedName: String?
        var terminate = false
        var notice: String?
    }

    private let contents = Mutex(Contents())
    private let wakePipe = WakePipe()
    /// Read end, polled by the UI thread.
    var wakeDescriptor: Int32 { wakePipe.readDescriptor }

    /// The tunnel whose whole log the UI wants.
    var selectedName: String? {
        get { contents.withLock { $0.selectedName } }
        set { contents.withLock { $0.selectedName = newValue } }
    }

    func publish(tunnels: [TunnelStatus], log: [LogEntry]) {
        contents.withLock { $0.snapshot = (tunnels, log) }
        wakePipe.wake()
    }

    /// A line of feedback for the footer (e.g. the result of a reload).
    func publish(notice: String) {
        contents.withLock { $0.notice = notice }
        wakePipe.wake()
    }

    func requestTermination() {
        contents.withLock { $0.terminate = true }
        wakePipe.wake()
    }

    /// Takes what arrived since the last call.
    func take() -> (snapshot: (tunnels: [TunnelStatus], log: [LogEntry])?, notice: String?, terminate: Bool) {
        wakePipe.drain()
        return contents.withLock { contents in
            defer {
                contents.snapshot = nil
                contents.notice = nil
            }
            return (contents.snapshot, contents.notice, contents.terminate)
        }
    }
}
