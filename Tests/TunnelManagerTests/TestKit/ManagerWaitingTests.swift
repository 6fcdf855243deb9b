import Logging
import Testing
import TunnelManager
import TunnelTestSupport

/// The kit's waits on the manager's change notes: they return once a note makes the condition hold, and a
/// timeout is a test issue, not a silent false.
@Suite("test kit: waiting on the manager")
struct ManagerWaitingTests {
    private func manager(clock: TestClock) throws -> TunnelManager {
        let config = try ConfigFixture().with(tunnels: ConfigFixture.offlineTunnel).parsed(path: "t.toml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return TunnelManager(config: config, launcher: ScriptedLauncher(lines: ["trouble"], exit: .exited(1)),
                             prober: SwitchableProber(), clock: clock, logger: logger, seed: 7)
    }

    @Test("waitUntil returns the status once a change note makes the condition hold")
    func returnsOnChange() async throws {
        let clock = TestClock()
        let manager = try manager(clock: clock)
        async let backoff = manager.waitUntil("web", isIn: .backoff, timeout: .seconds(10))
        await manager.startAutostartTunnels()
        let status = await backoff
        #expect(status?.state == .backoff)
        #expect(status?.cause == "ssh exited with status 1")
        await manager.shutdown()
    }

    @Test("a wait that times out records an issue naming what it waited for")
    func timeoutIsAnIssue() async throws {
        let clock = TestClock()
        let manager = try manager(clock: clock)
        await withKnownIssue("the tunnel is never started, so it never comes up") {
            let status = await manager.waitUntil("web", isIn: .up, timeout: .milliseconds(300))
            #expect(status?.state == .stopped, "the last status is returned with the issue")
        } matching: { issue in
            issue.description.contains("waiting for web up")
        }
        await manager.shutdown()
    }
}
