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

    @Test("a tunnel whose ssh is refused at once backs off: at most 6 spawns in a simulated minute, and it keeps trying")
    func noStormThroughTheManager() async throws {
        let config = try ConfigLoader.parse(text: """
            [[tunnel]]
            name = "web"
            server = "tunnel@vps"
            remote = 2222
            local = "localhost:22"
            """, path: "t.toml")
        let clock = ManualClock()
        let launcher = ScriptedLauncher(lines: ["ssh: connect to host vps port 22: Connection refused"], exit: .exited(255))
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
            #expect(status?.cause == "connection refused")
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
}
