import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// Everything that can happen to the dashboard: keys, resizes, clock ticks, manager changes, signals.
enum DashboardMessage: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(Date)
    case tunnels([TunnelStatus], selectedLog: [LogEntry])
    /// Feedback from an effect that finished later (a reload).
    case notice(String)
    /// SIGTERM, SIGHUP or SIGINT from outside: quit without asking.
    case terminate
    /// SIGTSTP from outside: suspend as Ctrl-Z does.
    case suspend
}
