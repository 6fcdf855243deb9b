import FoundationEssentials
import Logging
import Testing
import TunnelManager
import TunnelTestSupport

/// Every time the manager shows goes through its clock: log timestamps and "since" are the injected clock's.
@Suite("manager: time through the injected clock")
struct ManagerTimeTests {
    @Test("log entries and the state's start carry the injected clock's time, not the wall clock's")
    func timesFromTheClock() async throws {
        let config = try ConfigFixture().with(tunnels: ConfigFixture.offlineTunnel + "\nautostart = false").parsed(path: "t.toml")
        let clock = TestClock()
        await clock.advance(to: .seconds(1000))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let manager = TunnelManager(config: config, launcher: ScriptedLauncher(lines: [], exit: .exited(1)), clock: clock, logger: logger, seed: 1)
        try await manager.start("web")
        let status = try #require(await manager.status(of: "web", logLimit: 10))
        let expected = Date(timeIntervalSinceReferenceDate: 1000)
        #expect(status.recentLog.first?.time == expected, "\(status.recentLog)")
        #expect(status.since == expected)
        await manager.shutdown()
    }
}
