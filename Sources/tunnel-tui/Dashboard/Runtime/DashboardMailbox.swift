import Foundation
import Synchronization
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

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
    /// Read end, polled by the UI thread.
    let wakeDescriptor: Int32
    private let wakeWriter: Int32

    init() {
        var descriptors: [Int32] = [0, 0]
        _ = pipe(&descriptors)
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = descriptors[0]
        wakeWriter = descriptors[1]
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
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
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
        return contents.withLock { contents in
            defer {
                contents.snapshot = nil
                contents.notice = nil
            }
            return (contents.snapshot, contents.notice, contents.terminate)
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }
}
