import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Faults against a real sshd: each one is detected, named, and recovered from (or not retried blindly).
@Suite("real sshd: faults", .serialized)
struct FaultRecoveryTests {
    /// A config for `rig` with fast timings and one banner-probed tunnel "web" on `port` (`extra` in its table).
    private static func web(_ rig: LoopbackSSHServer, port: Int, extra: String = "") throws -> Config {
        try ConfigFixture(rig).with(tunnels: ConfigFixture.bannerTunnel("web", remotePort: port, rig: rig, extra: extra)).parsed()
    }

    @Test("a server-side session killed: the tunnel is back up and the restart is counted")
    func serverSessionKilled() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRigAndManager(config: { try Self.web($0, port: port) }) { rig, manager in
            let first = await RigSupport.waitFor(.up, "web", in: manager)
            #expect(first?.state == .up, "\(RigSupport.logText(first))")
            await rig.killSessions()
            await manager.waitUntil("web", is: "no longer up (the kill noticed)", timeout: .seconds(15)) { $0.state != .up }
            let again = await RigSupport.waitFor(.up, "web", in: manager)
            #expect(again?.state == .up, "\(RigSupport.logText(again))")
            #expect((again?.restarts ?? 0) >= 1)
            #expect(again?.recentLog.contains { $0.text.contains("connection closed") } == true, "\(RigSupport.logText(again))")
        }
    }

    @Test("the client ssh killed with SIGKILL: the tunnel is back up")
    func clientKilled() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRigAndManager(config: { try Self.web($0, port: port) }) { _, manager in
            let first = await RigSupport.waitFor(.up, "web", in: manager)
            let pid = try #require(first?.pid)
            kill(pid, SIGKILL)
            let status = await manager.waitUntil("web", is: "up with a new ssh", logLimit: 100) { $0.state == .up && $0.pid != pid }
            #expect(status?.recentLog.contains { $0.text.contains("signal 9") } == true, "\(RigSupport.logText(status))")
        }
    }

    @Test("sshd down, then back: the tunnel backs off while it is down and is back up after")
    func serverDownThenBack() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRigAndManager(config: { try Self.web($0, port: port) }) { rig, manager in
            #expect(await RigSupport.waitFor(.up, "web", in: manager)?.state == .up)
            await rig.stopListener()
            let during = await manager.waitUntil("web", is: "waiting for the refused server", timeout: .seconds(20), logLimit: 100) {
                $0.cause?.hasPrefix("server unreachable (127.0.0.1:\(rig.port): connection refused)") == true
            }
            #expect(during?.state == .backoff)
            #expect(during?.retryInSeconds == nil, "it waits for the server, not for a timer")
            try await rig.start()
            let back = await RigSupport.waitFor(.up, "web", in: manager)
            #expect(back?.state == .up, "\(RigSupport.logText(back))")
        }
    }

    @Test("a wrong key: failed with permission denied, and no retry storm")
    func wrongKey() async throws {
        let port = try LoopbackSSHServer.freePort()
        let clock = TestClock()
        try await RigSupport.withRig { rig in
            let config = try Self.web(rig, port: port, extra: "identity_file = \"\(rig.wrongKey)\"\nbackoff_max = \"30s\"")
            try await RigSupport.withManager(config, clock: clock) { manager in
                let status = await RigSupport.waitFor(.failed, "web", in: manager)
                #expect(status?.state == .failed, "\(RigSupport.logText(status))")
                #expect(status?.cause == "permission denied (publickey)")
                #expect(status?.causeNeedsUser == true)
                let retry = try #require(status?.retryInSeconds)
                #expect(retry > 20, "retries at backoff_max, not at once")
                // No storm: simulated time runs to just before the retry, and nothing was spawned meanwhile.
                await clock.advance(by: .seconds(retry - 0.1))
                let later = await manager.status(of: "web", logLimit: 200)
                #expect(later?.restarts == 0, "no storm: \(RigSupport.logText(later))")
                // "spawned ssh (pid N)" with its own ssh, "connection c1: spawned ssh master (pid N)" on a shared one.
                #expect(later?.recentLog.filter { $0.text.contains("spawned ssh") }.count == 1)
            }
        }
    }

    @Test("an unknown host key under strict: failed with that cause, and the key is not recorded")
    func unknownHostKey() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRig { rig in
            let emptyKnownHosts = "\(rig.directory)/empty_known_hosts"
            try Data().write(to: URL(fileURLWithPath: emptyKnownHosts))
            let config = try Self.web(rig, port: port,
                                      extra: "ssh_options = [\"UserKnownHostsFile=\(emptyKnownHosts)\", \"GlobalKnownHostsFile=/dev/null\"]")
            try await RigSupport.withManager(config) { manager in
                let status = await RigSupport.waitFor(.failed, "web", in: manager)
                #expect(status?.state == .failed, "\(RigSupport.logText(status))")
                #expect(status?.cause == "host key unknown", "\(RigSupport.logText(status))")
                let recorded = try String(contentsOfFile: emptyKnownHosts, encoding: .utf8)
                #expect(recorded.isEmpty, "the key was recorded: \(recorded)")
            }
        }
    }

    @Test("a changed host key: failed with 'host key changed'")
    func changedHostKey() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRig { rig in
            let otherKey = "\(rig.directory)/other_host_key"
            let made = await SpawnLauncher().run(program: "ssh-keygen", arguments: ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]) { _ in }
            #expect(made == .exited(0), "ssh-keygen made the other host key")
            let otherPublic = try String(contentsOfFile: "\(otherKey).pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
            let wrongKnownHosts = "\(rig.directory)/wrong_known_hosts"
            try "[127.0.0.1]:\(rig.port) \(otherPublic)\n".write(toFile: wrongKnownHosts, atomically: true, encoding: .utf8)
            let config = try Self.web(rig, port: port, extra:
                "ssh_options = [\"UserKnownHostsFile=\(wrongKnownHosts)\", \"GlobalKnownHostsFile=/dev/null\"]\nhost_key_policy = \"accept-new\"")
            try await RigSupport.withManager(config) { manager in
                let status = await RigSupport.waitFor(.failed, "web", in: manager)
                #expect(status?.cause == "host key changed", "\(RigSupport.logText(status))")
                #expect(status?.hint?.contains("ssh-keygen -R") == true)
            }
        }
    }

    @Test("a local service down: said so, and the tunnel is not restarted for it")
    func localServiceDown() async throws {
        let port = try LoopbackSSHServer.freePort()
        let closedPort = try LoopbackSSHServer.freePort()
        let clock = TestClock()
        try await RigSupport.withRig { rig in
            let config = try ConfigFixture(rig).with(tunnel: "app", remote: "127.0.0.1:\(port)", local: "127.0.0.1:\(closedPort)",
                                                     extra: "expect = \"SSH-\"").parsed()
            try await RigSupport.withManager(config, clock: clock) { manager in
                let status = await manager.waitUntil("app", isIn: .unreachable, advancing: clock, by: .milliseconds(500))
                #expect(status?.cause?.hasPrefix("local service down") == true, "\(RigSupport.logText(status))")
                let pid = status?.pid
                // Six more probes (three simulated seconds) find the local service down: ssh is not restarted.
                for _ in 0..<6 {
                    #expect(await clock.waitForSleeper(), "the probe loop sleeps until its next probe")
                    await clock.advance(by: .milliseconds(500))
                }
                #expect(await clock.waitForSleeper(), "the last probe is done")
                let later = await manager.status(of: "app", logLimit: 100)
                #expect(later?.state == .unreachable)
                #expect(later?.pid == pid && pid != nil, "ssh was not restarted")
                #expect(later?.restarts == 0)
            }
        }
    }

    @Test("the remote port held by another session: 'remote port in use' is named, and the tunnel is up once it is freed")
    func remotePortInUse() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRig { rig in
            // A stale session: a plain ssh -R holding the port, as a lost connection would on the server.
            let holder = Task {
                await SpawnLauncher().run(program: "ssh", arguments: [
                    "-N", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-i", rig.clientKey, "-p", String(rig.port),
                ] + rig.clientOptions.flatMap { ["-o", $0] } + ["-R", "127.0.0.1:\(port):127.0.0.1:\(rig.port)", rig.destination]) { _ in }
            }
            defer { holder.cancel() }
            #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the holder binds the port")
            try await RigSupport.withManager(try Self.web(rig, port: port)) { manager in
                let status = await manager.waitUntil("web", is: "waiting for the held port, reclaim refused", timeout: .seconds(20), logLimit: 100) {
                    $0.cause?.hasPrefix("waiting for the server to release port \(port) (stale session)") == true
                        && $0.recentLog.contains { $0.text.contains("cannot reclaim port \(port)") }
                }
                #expect(status?.hint?.contains("tunnel-tui-reclaim") == true)
                await manager.waitUntil("web", is: "polling every 2 s while the port is held, no growing backoff", timeout: .seconds(10)) {
                    guard $0.state == .backoff, let retry = $0.retryInSeconds else { return false }
                    return retry <= 2.1
                }
                #expect(status?.recentLog.contains { $0.text.contains("cannot reclaim port \(port)") } == true, "\(RigSupport.logText(status))")
                holder.cancel()
                _ = await holder.value
                let up = await RigSupport.waitFor(.up, "web", in: manager, timeout: .seconds(40))
                #expect(up?.state == .up, "\(RigSupport.logText(up))")
            }
        }
    }

    @Test("stop ends the ssh child and releases the remote port; start brings it back")
    func stopReleasesPort() async throws {
        let port = try LoopbackSSHServer.freePort()
        let clock = TestClock()
        try await RigSupport.withRig { rig in
            try await RigSupport.withManager(try Self.web(rig, port: port), clock: clock) { manager in
                let up = await manager.waitUntil("web", isIn: .up, advancing: clock, by: .milliseconds(500))
                let pid = try #require(up?.pid)
                try await manager.stop("web")
                #expect(await manager.status(of: "web")?.state == .stopped, "stopped at once")
                #expect(await RigSupport.eventually(timeout: .seconds(10)) { !ProcessTable.isAlive(pid) }, "ssh child gone")
                #expect(await RigSupport.eventually(timeout: .seconds(10)) { await !RigSupport.isListening(port) }, "remote port released")
                // A simulated minute: no timer brings a stopped tunnel back.
                await clock.advance(by: .seconds(60))
                #expect(await manager.status(of: "web")?.state == .stopped, "stays stopped")
                try await manager.start("web")
                #expect(await manager.waitUntil("web", isIn: .up, advancing: clock, by: .milliseconds(500))?.state == .up)
                await #expect(throws: TunnelManagerError.self) { try await manager.stop("nope") }
            }
        }
    }

    @Test("shutdown ends every ssh child and returns only when they are reaped")
    func shutdownLeavesNothing() async throws {
        let ports = try (0..<3).map { _ in try LoopbackSSHServer.freePort() }
        try await RigSupport.withRigAndManager(config: { rig in
            try ConfigFixture(rig).with(tunnels: ports.enumerated().map { index, port in
                ConfigFixture.bannerTunnel("t\(index)", remotePort: port, rig: rig)
            }.joined(separator: "\n")).parsed()
        }) { _, manager in
            var pids: [Int32] = []
            for index in 0..<3 {
                if let pid = await RigSupport.waitFor(.up, "t\(index)", in: manager)?.pid { pids.append(pid) }
            }
            #expect(pids.count == 3)
            await manager.shutdown()
            #expect(pids.allSatisfy { !ProcessTable.isAlive($0) }, "every child reaped when shutdown returns")
            #expect(ports.allSatisfy { port in RigSupport.sshProcesses(mentioning: ":\(port):").isEmpty })
        }
    }

    @Test("circuit breaker: sshd down with 5 tunnels with their own ssh costs one failed ssh each, then only TCP checks; all are back soon after it returns")
    func circuitBreaker() async throws {
        let ports = try (0..<5).map { _ in try LoopbackSSHServer.freePort() }
        let clock = TestClock()
        try await RigSupport.withRig { rig in
            // One ssh per tunnel, as before sharing (SharedConnectionTests has the shared variant).
            let config = try ConfigFixture(rig).with(defaults: ["server_check_interval": "\"1s\"", "share_connection": "false"]).with(tunnels: ports.enumerated().map { index, port in
                ConfigFixture.bannerTunnel("t\(index)", remotePort: port, rig: rig)
            }.joined(separator: "\n")).parsed()
            try await RigSupport.withManager(config, clock: clock) { manager in
                await manager.waitUntil("all five up", advancing: clock, by: .milliseconds(500)) { $0.allSatisfy { $0.state == .up } }
                // Up for three simulated seconds, past stable_after, before the outage.
                await clock.advance(by: .seconds(3))
                func spawns() async -> Int {
                    var total = 0
                    for name in await manager.names {
                        total += await manager.log(of: name).filter { $0.text.hasPrefix("spawned ssh") }.count
                    }
                    return total
                }
                let before = await spawns()
                await rig.stopListener()
                await manager.waitUntil("all five waiting for the server", advancing: clock, by: .milliseconds(500), timeout: .seconds(20)) {
                    $0.allSatisfy { $0.cause?.hasPrefix("server unreachable") == true }
                }
                // Six simulated seconds of outage, one server check a second.
                for _ in 0..<6 {
                    #expect(await clock.waitForSleeper(), "the server check sleeps until its next round")
                    await clock.advance(by: .seconds(1))
                }
                let duringOutage = await spawns() - before
                #expect(duringOutage <= 7, "about one ssh attempt per tunnel while the server is down, not a storm: \(duringOutage)")
                try await rig.start()
                // Back at the next server check after the server's return: one check interval of simulated time,
                // then only real time for ssh to connect.
                #expect(await clock.waitForSleeper(), "the server check sleeps until its next round")
                await clock.advance(by: .seconds(1))
                await manager.waitUntil("all five back up after one server check", timeout: .seconds(20)) {
                    $0.allSatisfy { $0.state == .up }
                }
            }
        }
    }
}
