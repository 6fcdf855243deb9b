/// Pings systemd's watchdog (`WATCHDOG=1`) while the supervisor really works: a timer on the event loop
/// (the thread children, probes and timers run on) asks the manager actor for its tunnel names, and only
/// when that answers is the ping sent. A supervisor frozen by SIGSTOP or stuck in either place stops
/// pinging, and systemd restarts it after `WatchdogSec=`.
public final class SystemdWatchdog: Sendable {
    private let notifier: SystemdNotifier
    private let manager: TunnelManager
    private let interval: Duration

    /// Starts pinging at `notifier.watchdogInterval`; nil when systemd asked for no watchdog.
    public static func start(notifier: SystemdNotifier, manager: TunnelManager) -> SystemdWatchdog? {
        guard let interval = notifier.watchdogInterval else { return nil }
        let watchdog = SystemdWatchdog(notifier: notifier, manager: manager, interval: interval)
        watchdog.scheduleNext()
        return watchdog
    }

    private init(notifier: SystemdNotifier, manager: TunnelManager, interval: Duration) {
        self.notifier = notifier
        self.manager = manager
        self.interval = interval
    }

    private func scheduleNext() {
        EventLoop.shared.schedule(at: .now + interval) { [self] in
            Task {
                _ = await manager.names
                notifier.watchdog()
                scheduleNext()
            }
        }
    }
}
