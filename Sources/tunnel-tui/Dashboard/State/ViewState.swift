import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// Everything the dashboard shows, as plain values: the renderer is a function of it.
struct ViewState: Sendable {
    var tunnels: [TunnelStatus] = []
    /// The whole kept log of the selected tunnel.
    var selectedLog: [LogEntry] = []
    var selectedName: String?
    var focus = Focus.table
    /// Lines scrolled up from the newest; 0 follows new lines.
    var logScrollBack = 0
    var filter = ""
    var editingFilter = false
    var overlay = Overlay.none
    /// Feedback for the last action, shown in the footer.
    var notice: String?
    var configPath: String
    var now: Date
    var width: Int
    var height: Int
    var colors: Bool
    var unicode: Bool
    var quitting = false
    /// First line of the help overlay shown, when it does not fit the terminal.
    var helpScroll = 0
    /// Whether quitting stops the tunnels (in-process) or only detaches from a daemon.
    var ownsTunnels = true
    /// Zone of the clocks shown: nil is the system's local time (tests pin a zone).
    var timeZone: TimeZone?

    init(configPath: String, now: Date = Date(), width: Int = 80, height: Int = 24, colors: Bool = true, unicode: Bool = true) {
        self.configPath = configPath
        self.now = now
        self.width = width
        self.height = height
        self.colors = colors
        self.unicode = unicode
    }

    /// The tunnels that pass the filter, in config order.
    var visibleTunnels: [TunnelStatus] {
        guard !filter.isEmpty else { return tunnels }
        return tunnels.filter { $0.name.lowercased().contains(filter.lowercased()) }
    }

    /// The selected tunnel, if it is visible.
    var selected: TunnelStatus? {
        visibleTunnels.first { $0.name == selectedName } ?? visibleTunnels.first
    }

    /// Tunnels that quitting would stop.
    var runningCount: Int { tunnels.filter { $0.state.isActive }.count }
}
