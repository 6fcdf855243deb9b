import Logging
import Testing
import TunnelManager

/// The manager with a hand-driven clock and a scripted child: backoff timing without waiting for real time.
@Suite("manager: injected clock")
struct TunnelManagerClockTests {
    private func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<2000 {
            if await condition() { return true }
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    @Test("a tunnel whose ssh fails at once backs off: at most 6 spawns in a simulated minute, and it keeps trying")
    func noStormThroughTheManager() async throws {
        let config = try ConfigLoader.parse(text: """
            [[tunnel]]
            name = "web"
            server = "tunnel@vps"
            remote = 2222
            local = "localhost:22"
            """, path: "t.toml")
        let clock = ManualClock()
        let launcher = ScriptedLauncher(lines: ["some tunnel-level trouble"], exit: .exited(1))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let manager = TunnelManager(config: config, launcher: launcher, clock: clock, logger: logger, seed: 42)
        await manager.startAutostartTunnels()
        var spawnsInFirstMinute = 0
        while true {
            let waiting = await eventually { clock.nextDeadline != nil }
            #expect(waiting, "a retry is always scheduled")
            guard waiting, let next = clock.nextDeadline else { break }
            if next >= .seconds(60) {
                spawnsInFirstMinute = launcher.runCount
                break
            }
            let status = await manager.status(of: "web")
            #expect(status?.state == .backoff)
            #expect(status?.cause == "ssh exited with status 1")
            clock.advance(to: next)
            _ = await eventually { await manager.status(of: "web")?.state == .backoff && clock.nextDeadline != nil }
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
        var text = "[defaults]\nserver = \"tunnel@vps\"\nserver_check_interval = \"2s\"\nshare_connection = false\n"
        for index in 0..<5 {
            text += "\n[[tunnel]]\nname = \"t\(index)\"\nremote = \(2000 + index)\nlocal = \"localhost:22\"\n"
        }
        let config = try ConfigLoader.parse(text: text, path: "t.toml")
        let clock = ManualClock()
        let launcher = ScriptedLauncher(lines: ["ssh: connect to host vps port 22: Connection refused"], exit: .exited(255))
        let prober = SwitchableProber()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let manager = TunnelManager(config: config, launcher: launcher, prober: prober, clock: clock, logger: logger, seed: 1)
        await manager.startAutostartTunnels()
        let waiting = await eventually {
            await manager.snapshot().allSatisfy { $0.cause?.hasPrefix("server unreachable") == true }
        }
        let causes = await manager.snapshot().map { $0.cause ?? "-" }
        #expect(waiting, "\(causes)")
        let sshRunsAtOutage = launcher.sshRuns
        #expect(sshRunsAtOutage == 5, "one failed attempt each, then they wait")
        #expect(await manager.snapshot().allSatisfy { $0.state == .backoff && $0.retryInSeconds == nil })
        // A simulated minute of outage: only TCP checks, every 2 s, one for the server, never an ssh attempt.
        for _ in 0..<30 {
            _ = await eventually { clock.nextDeadline != nil }
            guard let next = clock.nextDeadline else { break }
            clock.advance(to: next)
            _ = await eventually { prober.checks > 0 }
        }
        #expect(launcher.sshRuns == sshRunsAtOutage, "no ssh attempt while the server is down")
        #expect(prober.checks >= 25 && prober.checks <= 35, "one check per 2 s for the server, not per tunnel: \(prober.checks)")
        prober.answering = true
        _ = await eventually { clock.nextDeadline != nil }
        if let next = clock.nextDeadline { clock.advance(to: next) }
        let reconnected = await eventually { launcher.sshRuns == sshRunsAtOutage + 5 }
        #expect(reconnected, "all five reconnect at once when it answers: \(launcher.sshRuns)")
        await manager.shutdown()
    }

    @Test("circuit breaker, shared: five tunnels on one connection cost one ssh attempt at the outage and one when the server answers")
    func circuitBreakerShared() async throws {
        var text = "[defaults]\nserver = \"tunnel@vps\"\nserver_check_interval = \"2s\"\n"
        for index in 0..<5 {
            text += "\n[[tunnel]]\nname = \"t\(index)\"\nremote = \(2000 + index)\nlocal = \"localhost:22\"\n"
        }
        let config = try ConfigLoader.parse(text: text, path: "t.toml")
        let clock = ManualClock()
        let launcher = ScriptedLauncher(lines: ["ssh: connect to host vps port 22: Connection refused"], exit: .exited(255))
        let prober = SwitchableProber()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let manager = TunnelManager(config: config, launcher: launcher, prober: prober, clock: clock, logger: logger, seed: 1)
        await manager.startAutostartTunnels()
        let waiting = await eventually {
            await manager.snapshot().allSatisfy { $0.cause?.hasPrefix("server unreachable") == true }
        }
        let snapshot = await manager.snapshot()
        #expect(waiting, "\(snapshot.map { $0.cause ?? "-" })")
        #expect(Set(snapshot.compactMap { $0.connection?.label }).count == 1, "one connection for the five")
        #expect(launcher.sshRuns == 1, "one master attempt for the five tunnels")
        for _ in 0..<15 {
            _ = await eventually { clock.nextDeadline != nil }
            guard let next = clock.nextDeadline else { break }
            clock.advance(to: next)
            _ = await eventually { prober.checks > 0 }
        }
        #expect(launcher.sshRuns == 1, "no ssh attempt while the server is down")
        prober.answering = true
        _ = await eventually { clock.nextDeadline != nil }
        if let next = clock.nextDeadline { clock.advance(to: next) }
        let reconnected = await eventually { launcher.sshRuns == 2 }
        #expect(reconnected, "one master for all five when it answers: \(launcher.sshRuns)")
        await manager.shutdown()
        #expect(launcher.sshRuns == 2, "and only one")
    }
}
