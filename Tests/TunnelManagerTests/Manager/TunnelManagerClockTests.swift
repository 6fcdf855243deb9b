import Logging
import Testing
import TunnelManager
import TunnelTestSupport

/// The manager with a test clock and a scripted child: backoff timing without waiting for real time.
@Suite("manager: injected clock")
struct TunnelManagerClockTests {
    private func manager(_ config: Config, launcher: ScriptedLauncher, prober: SwitchableProber = SwitchableProber(),
                         clock: TestClock, seed: UInt64) -> TunnelManager {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return TunnelManager(config: config, launcher: launcher, prober: prober, clock: clock, logger: logger, seed: seed)
    }

    @Test("a tunnel whose ssh fails at once backs off: at most 6 spawns in a simulated minute, and it keeps trying")
    func noStormThroughTheManager() async throws {
        let config = try ConfigFixture().with(tunnels: ConfigFixture.offlineTunnel).parsed(path: "t.toml")
        let clock = TestClock()
        let launcher = ScriptedLauncher(lines: ["some tunnel-level trouble"], exit: .exited(1))
        let manager = manager(config, launcher: launcher, clock: clock, seed: 42)
        await manager.startAutostartTunnels()
        var spawnsInFirstMinute = 0
        while true {
            let waiting = await clock.waitForSleeper()
            #expect(waiting, "a retry is always scheduled")
            guard waiting, let next = clock.nextDeadline else { break }
            if next >= .seconds(60) {
                spawnsInFirstMinute = launcher.runCount
                break
            }
            let status = await manager.status(of: "web")
            #expect(status?.state == .backoff)
            #expect(status?.cause == "ssh exited with status 1")
            await clock.advance(to: next)
        }
        #expect(spawnsInFirstMinute <= 6, "spawns in the first minute: \(spawnsInFirstMinute)")
        #expect(spawnsInFirstMinute >= 5, "it keeps trying")
        let status = await manager.status(of: "web", logLimit: 500)
        #expect(status?.restarts == launcher.runCount - 1)
        #expect(status?.recentLog.contains { $0.text.contains("restarting in") } == true)
        await manager.shutdown()
    }

    @Test("circuit breaker: five tunnels with their own ssh of a server that does not answer wait behind one check, then all reconnect when it answers")
    func circuitBreaker() async throws {
        var fixture = ConfigFixture(defaults: ["server": "\"tunnel@vps\"", "server_check_interval": "\"2s\"", "share_connection": "false"])
        for index in 0..<5 {
            fixture = fixture.with(tunnels: "[[tunnel]]\nname = \"t\(index)\"\nremote = \(2000 + index)\nlocal = \"localhost:22\"\n")
        }
        let config = try fixture.parsed(path: "t.toml")
        let clock = TestClock()
        let launcher = ScriptedLauncher(lines: ["ssh: connect to host vps port 22: Connection refused"], exit: .exited(255))
        let prober = SwitchableProber()
        let manager = manager(config, launcher: launcher, prober: prober, clock: clock, seed: 1)
        await manager.startAutostartTunnels()
        await manager.waitUntil("every tunnel waiting for the server", timeout: .seconds(20)) { snapshot in
            snapshot.allSatisfy { $0.cause?.hasPrefix("server unreachable") == true }
        }
        let sshRunsAtOutage = launcher.sshRuns
        #expect(sshRunsAtOutage == 5, "one failed attempt each, then they wait")
        #expect(await manager.snapshot().allSatisfy { $0.state == .backoff && $0.retryInSeconds == nil })
        // A simulated minute of outage: only TCP checks, every 2 s, one for the server, never an ssh attempt.
        let checksAtOutage = prober.checks
        for _ in 0..<30 {
            #expect(await clock.waitForSleeper(), "the server check sleeps until its next round")
            await clock.advance(by: .seconds(2))
        }
        #expect(await clock.waitForSleeper(), "the last check is done and sleeps again")
        #expect(launcher.sshRuns == sshRunsAtOutage, "no ssh attempt while the server is down")
        #expect(prober.checks - checksAtOutage == 30, "one check per 2 s for the server, not per tunnel: \(prober.checks - checksAtOutage)")
        prober.answering = true
        #expect(await clock.waitForSleeper())
        await clock.advance(by: .seconds(2))
        await manager.waitUntil("all five reconnecting at once", timeout: .seconds(20)) { _ in launcher.sshRuns == sshRunsAtOutage + 5 }
        await manager.shutdown()
    }

    @Test("circuit breaker, shared: five tunnels on one connection cost one ssh attempt at the outage and one when the server answers")
    func circuitBreakerShared() async throws {
        var fixture = ConfigFixture(defaults: ["server": "\"tunnel@vps\"", "server_check_interval": "\"2s\""])
        for index in 0..<5 {
            fixture = fixture.with(tunnels: "[[tunnel]]\nname = \"t\(index)\"\nremote = \(2000 + index)\nlocal = \"localhost:22\"\n")
        }
        let config = try fixture.parsed(path: "t.toml")
        let clock = TestClock()
        let launcher = ScriptedLauncher(lines: ["ssh: connect to host vps port 22: Connection refused"], exit: .exited(255))
        let prober = SwitchableProber()
        let manager = manager(config, launcher: launcher, prober: prober, clock: clock, seed: 1)
        await manager.startAutostartTunnels()
        let waiting = await manager.waitUntil("every tunnel waiting for the server", timeout: .seconds(20)) { snapshot in
            snapshot.allSatisfy { $0.cause?.hasPrefix("server unreachable") == true }
        }
        #expect(Set((waiting ?? []).compactMap { $0.connection?.label }).count == 1, "one connection for the five")
        #expect(launcher.sshRuns == 1, "one master attempt for the five tunnels")
        for _ in 0..<15 {
            #expect(await clock.waitForSleeper(), "the server check sleeps until its next round")
            await clock.advance(by: .seconds(2))
        }
        #expect(await clock.waitForSleeper())
        #expect(launcher.sshRuns == 1, "no ssh attempt while the server is down")
        prober.answering = true
        await clock.advance(by: .seconds(2))
        await manager.waitUntil("one master for all five when it answers", timeout: .seconds(20)) { _ in launcher.sshRuns == 2 }
        await manager.shutdown()
        #expect(launcher.sshRuns == 2, "and only one")
    }
}
