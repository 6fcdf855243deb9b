import Logging
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's signals as a service: SIGHUP reloads the config (and it keeps running), SIGINT or SIGTERM
/// ends it, which makes the ``ServiceGroup`` stop every service, last first. The signals come from the main
/// thread's `sigwait` (``TerminationSignals``), never from a handler of its own.
struct SignalService: Service {
    let name = "signals"
    /// Re-reads the config; the reply says what changed or why nothing did.
    let reload: @Sendable () async -> ControlResponse
    /// The config file, for the log.
    let configPath: String
    let logger: Logger

    /// Handles signals until SIGINT or SIGTERM (then returns) or until the group stops it.
    func run() async {
        let signals = SignalWaiter()
        while let received = await Self.next(signals) {
            guard received == SIGHUP else {
                logger.notice("received signal \(received): stopping every tunnel")
                return
            }
            let reply = await reload()
            if let summary = reply.reload {
                logger.notice("SIGHUP: reloaded \(configPath): \(summary.description)")
            } else {
                logger.error("SIGHUP: \(reply.error ?? "reload failed")")
            }
        }
    }

    /// The next signal, or nil once the group asks this service to stop.
    private static func next(_ signals: SignalWaiter) async -> Int32? {
        await GracefulShutdown.unlessStopped { await signals.next() }
    }
}
