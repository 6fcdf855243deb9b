import ArgumentParser
import Foundation
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
        let signals = SignalWaiter()
        for warning in config.warnings { logger.warning("\(warning)") }
        // The shared ssh connections' control sockets live next to the instance's own.
        let manager = TunnelManager(config: config, logger: logger, runtimeDirectory: (socket.path as NSString).deletingLastPathComponent)
        let service = ControlService(
            manager: manager, configPath: config.path, mode: "daemon",
            configCheck: IsolatedConfigCheck.currentExecutable.map { IsolatedConfigCheck(executable: $0) })
        // A reload, by SIGHUP or through the socket (`systemctl reload` runs `tunnel-tui reload`), is announced
        // to systemd around it.
        let reload: @Sendable () async -> ControlResponse = {
            systemd.reloading()
            let reply = await service.reload()
            systemd.ready(status: Self.status(reply))
            return reply
        }
        let server: ControlServer
        do {
            server = try ControlServer(path: socket.path, instance: service.instance, sharedGroup: sharedGroup, handler: { request in
                request.command == "reload" ? await reload() : await service.handle(request)
            }, updates: service.updates)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        logger.notice("supervising \(config.tunnels.count) tunnels from \(config.path); control socket \(server.path)")
        let exporter: MetricsExporter?
        do {
            exporter = try MetricsExporter.start(config: config, manager: manager, logger: logger)
        } catch {
            logger.critical("\(error)")
            server.stop()
            throw ExitCode(1)
        }
        await manager.watchNetworkChanges()
        await manager.startAutostartTunnels()
        systemd.ready(status: "supervising \(config.tunnels.count) tunnels")
        let watchdog = SystemdWatchdog.start(notifier: systemd, manager: manager)
        while true {
            let received = await signals.next()
            guard received == SIGHUP else {
                logger.notice("received signal \(received): stopping every tunnel")
                break
            }
            let reply = await reload()
            if reply.ok {
                logger.notice("SIGHUP: reloaded \(config.path): \(reply.reload?.description ?? "")")
            } else {
                logger.error("SIGHUP: \(reply.error ?? "reload failed")")
            }
        }
        systemd.stopping()
        server.stop()
        exporter?.stop()
        await manager.shutdown()
        server.releaseLock()
        _ = watchdog
        logger.notice("all ssh children ended; exiting")
    }

    /// The status line systemd shows after a reload.
    private static func status(_ reply: ControlResponse) -> String {
        let count = reply.tunnels?.count ?? 0
        return reply.ok ? "supervising \(count) tunnels" : "reload rejected; still supervising the previous config"
    }
}
