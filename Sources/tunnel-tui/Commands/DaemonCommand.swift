import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import Logging
import TunnelManager

/// `tunnel-tui daemon`: supervises the tunnels with no UI, logging one line per event on stderr, and serves
/// the control socket for `status`, `start`/`stop`/`restart` and `reload`.
struct DaemonCommand: SignalHandlingCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Supervise the tunnels headless; one log line per event on stderr (journald-friendly).",
        discussion: """
            Serves the control socket (see --socket). SIGHUP re-reads the config and applies the difference; \
            SIGINT and SIGTERM end every ssh child, then it exits 0. A second daemon on the same socket refuses to start.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var socket: SocketOptions
    @Option(name: .long, help: ArgumentHelp(
        "Let members of this group use the control socket too (socket 0660); the packaged service shares it with group tunnel.",
        valueName: "group"))
    var socketGroup: String?

    func run() async throws {
        let config = try options.load()
        let sharedGroup = try socketGroup.map { name throws -> gid_t in
            guard let entry = getgrnam(name) else { throw ValidationError("--socket-group \(name): no such group") }
            return entry.pointee.gr_gid
        }
        DaemonLogging.bootstrap()
        let logger = Logger(label: "tunnel-tui")
        let systemd = SystemdNotifier()
        for warning in config.warnings { logger.warning("\(warning)") }
        // A reload, by SIGHUP or through the socket (`systemctl reload` runs `tunnel-tui reload`), is announced
        // to systemd around it.
        let supervisor = SupervisorServices(
            config: config, mode: "daemon", socketPath: socket.path, sharedGroup: sharedGroup, logger: logger,
            willReload: { systemd.reloading() }, didReload: { systemd.ready(status: Self.status($0)) })
        let manager = supervisor.manager
        let socketPath = socket.path
        // Started after the supervisor's services, so stopped first: STOPPING=1 before any tunnel stops.
        let notifications = StartStopService("systemd notifications", start: {
            logger.notice("supervising \(config.tunnels.count) tunnels from \(config.path); control socket \(socketPath)")
            systemd.ready(status: "supervising \(config.tunnels.count) tunnels")
            _ = SystemdWatchdog.start(notifier: systemd, manager: manager)
        }, stop: { systemd.stopping() })
        let signals = SignalService(reload: supervisor.control.reload, configPath: config.path, logger: logger)
        try await supervisor.run(after: [notifications, signals])
        logger.notice("all ssh children ended; exiting")
    }

    /// The status line systemd shows after a reload.
    private static func status(_ reply: ControlResponse) -> String {
        let count = reply.tunnels?.count ?? 0
        return reply.ok ? "supervising \(count) tunnels" : "reload rejected; still supervising the previous config"
    }
}
