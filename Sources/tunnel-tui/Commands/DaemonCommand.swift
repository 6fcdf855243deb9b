import ArgumentParser
import Foundation
import Logging
import TunnelManager

/// `tunnel-tui daemon`: supervises the tunnels with no UI, logging one line per event on stderr.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Supervise the tunnels headless; one log line per event on stderr (journald-friendly).",
        discussion: "Exits 0 on SIGINT, SIGTERM or SIGHUP after ending every ssh child.")

    @OptionGroup var options: ConfigOptions

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
        logger.notice("supervising \(config.tunnels.count) tunnels from \(config.path)")
        let manager = TunnelManager(config: config, logger: logger)
        await manager.startAutostartTunnels()
        let received = await signals.next()
        logger.notice("received signal \(received): stopping every tunnel")
        await manager.shutdown()
        logger.notice("all ssh children ended; exiting")
    }
}
