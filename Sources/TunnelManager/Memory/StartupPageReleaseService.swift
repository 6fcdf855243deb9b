import Logging

/// Once startup has settled, gives back the pages that startup alone used (``ResidentPages/release()``),
/// and logs what that did: then the supervisor's resident memory is what it keeps using.
///
/// Settled means `settle` after the service group started it: by then the config is read, every ssh
/// connection is up (or backing off) and every tunnel has been probed, so what runs from there on is the
/// steady work (probes, keepalives, the control socket). Just before the release `warmUp` answers one
/// `status` request, so the Swift runtime's lookups for that path are cached and a later request does not
/// read the type tables of the whole executable again. Pages a later fault, reload or dashboard needs are
/// mapped again as they are touched. It runs once, for code that does not run again: unmapping the code of
/// requests that do come again would only make the next one map it back.
public struct StartupPageReleaseService: Service {
    /// Its name in logs and errors.
    public let name = "startup page release"
    /// The default wait: first connections take a second or two, first probes come within `probe_interval`
    /// (5 s by default) of a tunnel's start, and a server that refused gets its second try by then.
    public static let defaultSettle = Duration.seconds(20)

    private let clock: any SupervisorClock
    private let settle: Duration
    private let logger: Logger
    private let release: @Sendable () -> PageRelease
    private let warmUp: @Sendable () async -> Void

    /// Creates the service; `warmUp` runs just before the release; `release` is ``ResidentPages/release()``
    /// but for tests.
    public init(
        clock: any SupervisorClock = SystemSupervisorClock(), settle: Duration = defaultSettle, logger: Logger,
        warmUp: @escaping @Sendable () async -> Void = {},
        release: @escaping @Sendable () -> PageRelease = { ResidentPages.release() }
    ) {
        self.clock = clock
        self.settle = settle
        self.logger = logger
        self.warmUp = warmUp
        self.release = release
    }

    /// Waits `settle` (or returns if asked to stop first), releases, then waits to be asked to stop.
    public func run() async {
        let deadline = clock.now() + settle
        let clock = self.clock
        let settled: Void? = await GracefulShutdown.unlessStopped { try? await clock.sleep(until: deadline) }
        guard settled != nil else { return }
        await warmUp()
        logger.info("startup has settled; released the pages only it used: \(release())")
        await GracefulShutdown.wait()
    }
}
