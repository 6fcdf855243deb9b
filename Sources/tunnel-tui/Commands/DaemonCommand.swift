import ArgumentParser
import Foundation
import Logging
import TunnelManager

/// `tunnel-tui daemon`: supervises the tunnels with no UI, logging one line per event on stderr, and serves
/// the control socket for `status`, `start`/`stop`/`restart` and `reload`.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Supervise the tunnels headless; one log line per event on stderr (journald-friendly).",
        discussion: """
            Serves the control socket (see --socket). SIGHUP re-reads the config and applies the difference; \
            SIGINT and SIGTERM end every ssh child, then it exits 0. A second daemon on the same socket refuses to start.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var socket: SocketOptions

    func run() async throws {
        let config = try options.load()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "tunnel-tui")
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM, SIGHUP])
        for warning in config.warnings { logger.warning("\(warning)") }
        let manager = TunnelManager(config: config, logger: logger)
        let service = ControlService(
            manager: manager, configPath: config.path, mode: "daemon",
            configCheck: IsolatedConfigCheck.currentExecutable.map { IsolatedConfigCheck(executable: $0) })
        let server: ControlServer
        do {
            server = try ControlServer(path: socket.path, handler: service.handle, updates: service.updates)
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
        while true {
            let received = await signals.next()
            guard received == SIGHUP else {
                logger.notice("received signal \(received): stopping every tunnel")
                break
            }
            let reply = await service.reload()
            if reply.ok {
                logger.notice("SIGHUP: reloaded \(config.path): \(reply.reload?.description ?? "")")
            } else {
                logger.error("SIGHUP: \(reply.error ?? "reload failed")")
            }
        }
        server.stop()
        exporter?.stop()
        await manager.shutdown()
        logger.notice("all ssh children ended; exiting")
    }
}
