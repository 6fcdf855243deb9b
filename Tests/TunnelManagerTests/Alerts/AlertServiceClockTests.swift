import Logging
import Testing
import TunnelManager
import TunnelTestSupport

/// The alert service on the manager's injected clock, with a scripted ssh: alert_after is a deadline on that
/// clock, so time is moved by hand instead of waited for.
@Suite("alerts: service on the manager's clock", .serialized)
struct AlertServiceClockTests {
    private static let tunnel = ConfigFixture.offlineTunnel

    private func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<3000 {
            if await condition() { return true }
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    /// Moves the clock to `instant` one deadline at a time, letting the manager and the service react to each.
    private func advance(_ clock: TestClock, to instant: Duration) async {
        while let next = clock.nextDeadline, next <= instant {
            await clock.advance(to: next)
            for _ in 0..<20 {
                await Task.yield()
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        await clock.advance(to: instant)
    }

    private func start(_ text: String) async throws -> (TunnelManager, AlertService, TestClock, SharedValue<[AlertHookRunner.Report]>, AlertHookRunner) {
        let config = try ConfigLoader.parse(text: text, path: "t.toml")
        let clock = TestClock()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let manager = TunnelManager(
            config: config, launcher: ScriptedLauncher(lines: ["some tunnel-level trouble"], exit: .exited(1)), clock: clock,
            logger: logger, seed: 42)
        let reports = SharedValue<[AlertHookRunner.Report]>([])
        let runner = AlertHookRunner(timeout: .seconds(10)) { report in reports.update { $0.append(report) } }
        let alerts = await AlertService.start(config: config, manager: manager, logger: logger, clock: clock, runner: runner)
        await manager.startAutostartTunnels()
        return (manager, alerts, clock, reports, runner)
    }

    @Test("a tunnel that never comes up alerts once alert_after has passed on the manager's clock, not a moment before")
    func alertAfterOnTheClock() async throws {
        let (manager, alerts, clock, reports, runner) = try await start("[alerts]\ncommand = [\"/bin/true\"]\nalert_after = \"30s\"\n\n" + Self.tunnel)
        #expect(await eventually { await manager.status(of: "web")?.state == .backoff })
        await advance(clock, to: .seconds(29))
        await runner.idle()
        #expect(reports.value.isEmpty, "\(reports.value)")
        await advance(clock, to: .seconds(31))
        #expect(await eventually { !reports.value.isEmpty })
        await runner.idle()
        #expect(reports.value.map(\.text).contains { $0.hasPrefix("down: web: ") && $0.contains("sent (/bin/true: exit status 0") }, "\(reports.value)")
        #expect(reports.value.allSatisfy { !$0.isProblem })
        await advance(clock, to: .seconds(300))
        await runner.idle()
        #expect(reports.value.count == 1, "once: \(reports.value)")
        await alerts.stop()
        await manager.shutdown()
    }

    @Test("without a hook nothing is sent, and a reload that adds one starts alerting without alerting by itself")
    func noHookThenReload() async throws {
        let (manager, alerts, clock, reports, runner) = try await start(Self.tunnel)
        await advance(clock, to: .seconds(120))
        await runner.idle()
        #expect(reports.value.isEmpty)
        let config = try ConfigLoader.parse(text: "[alerts]\ncommand = [\"/bin/true\"]\nalert_after = \"30s\"\n\n" + Self.tunnel, path: "t.toml")
        let summary = await manager.reload(config)
        await alerts.reloaded(config, summary)
        await runner.idle()
        #expect(reports.value.isEmpty, "the reload itself sends nothing: \(reports.value)")
        await advance(clock, to: .seconds(160))
        #expect(await eventually { !reports.value.isEmpty }, "down once alert_after passed after the reload")
        await alerts.stop()
        await manager.shutdown()
    }
}
