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
    private static func bannerTunnel(_ name: String, remotePort: Int, rig: LoopbackSSHServer, extra: String = "") -> String {
        """
        [[tunnel]]
        name = "\(name)"
        remote = "127.0.0.1:\(remotePort)"
        local = "127.0.0.1:\(rig.port)"
        probe = "banner"
        \(extra)
        """
    }

    @Test("a server-side session killed: the tunnel is back up and the restart is counted")
    func serverSessionKilled() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let manager = RigSupport.manager(try RigSupport.config(rig, tunnels: Self.bannerTunnel("web", remotePort: port, rig: rig)))
        await manager.startAutostartTunnels()
        let first = await RigSupport.waitFor(.up, "web", in: manager)
        #expect(first?.state == .up, "\(RigSupport.logText(first))")
        await rig.killSessions()
        let down = await RigSupport.eventually(timeout: .seconds(15)) { await manager.status(of: "web")?.state != .up }
        #expect(down, "the kill was noticed")
        let again = await RigSupport.waitFor(.up, "web", in: manager)
        #expect(again?.state == .up, "\(RigSupport.logText(again))")
        #expect((again?.restarts ?? 0) >= 1)
        #expect(again?.recentLog.contains { $0.text.contains("connection closed") } == true, "\(RigSupport.logText(again))")
        await manager.shutdown()
        await rig.stop()
    }

    @Test("the client ssh killed with SIGKILL: the tunnel is back up")
    func clientKilled() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let manager = RigSupport.manager(try RigSupport.config(rig, tunnels: Self.bannerTunnel("web", remotePort: port, rig: rig)))
        await manager.startAutostartTunnels()
        let first = await RigSupport.waitFor(.up, "web", in: manager)
        let pid = try #require(first?.pid)
        kill(pid, SIGKILL)
        let replaced = await RigSupport.eventually(timeout: .seconds(30)) {
            let status = await manager.status(of: "web")
            return status?.state == .up && status?.pid != pid
        }
        let status = await manager.status(of: "web", logLimit: 100)
        #expect(replaced, "\(RigSupport.logText(status))")
        #expect(status?.recentLog.contains { $0.text.contains("signal 9") } == true)
        await manager.shutdown()
        await rig.stop()
    }

    @Test("sshd down, then back: the tunnel backs off while it is down and is back up after")
    func serverDownThenBack() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let manager = RigSupport.manager(try RigSupport.config(rig, tunnels: Self.bannerTunnel("web", remotePort: port, rig: rig)))
        await manager.startAutostartTunnels()
        #expect(await RigSupport.waitFor(.up, "web", in: manager)?.state == .up)
        await rig.stopListener()
        let backoff = await RigSupport.eventually(timeout: .seconds(20)) {
            await manager.status(of: "web")?.cause?.hasPrefix("server unreachable (127.0.0.1:\(rig.port): connection refused)") == true
        }
        let during = await manager.status(of: "web", logLimit: 100)
        #expect(backoff, "cause while down: \(during?.cause ?? "none")\n\(RigSupport.logText(during))")
        #expect(during?.state == .backoff)
        #expect(during?.retryInSeconds == nil, "it waits for the server, not for a timer")
        try await rig.start()
        let back = await RigSupport.waitFor(.up, "web", in: manager)
        #expect(back?.state == .up, "\(RigSupport.logText(back))")
        await manager.shutdown()
        await rig.stop()
    }

    @Test("a wrong key: failed with permission denied, and no retry storm")
    func wrongKey() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let config = try RigSupport.config(rig, tunnels: Self.bannerTunnel(
            "web", remotePort: port, rig: rig, extra: "identity_file = \"\(rig.wrongKey)\"\nbackoff_max = \"30s\""))
        let manager = RigSupport.manager(config)
        await manager.startAutostartTunnels()
        let status = await RigSupport.waitFor(.failed, "web", in: manager)
        #expect(status?.state == .failed, "\(RigSupport.logText(status))")
        #expect(status?.cause == "permission denied (publickey)")
        #expect(status?.causeNeedsUser == true)
        #expect((status?.retryInSeconds ?? 0) > 20, "retries at backoff_max, not at once")
        try await Task.sleep(for: .seconds(3))
        let later = await manager.status(of: "web", logLimit: 200)
        #expect(later?.restarts == 0, "no storm: \(RigSupport.logText(later))")
        // "spawned ssh (pid N)" with its own ssh, "connection c1: spawned ssh master (pid N)" on a shared one.
        #expect(later?.recentLog.filter { $0.text.contains("spawned ssh") }.count == 1)
        await manager.shutdown()
        await rig.stop()
    }

    @Test("an unknown host key under strict: failed with that cause, and the key is not recorded")
    func unknownHostKey() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let emptyKnownHosts = "\(rig.directory)/empty_known_hosts"
        try Data().write(to: URL(fileURLWithPath: emptyKnownHosts))
        let config = try RigSupport.config(rig, tunnels: Self.bannerTunnel(
            "web", remotePort: port, rig: rig,
            extra: "ssh_options = [\"UserKnownHostsFile=\(emptyKnownHosts)\", \"GlobalKnownHostsFile=/dev/null\"]"))
        let manager = RigSupport.manager(config)
        await manager.startAutostartTunnels()
        let status = await RigSupport.waitFor(.failed, "web", in: manager)
        #expect(status?.state == .failed, "\(RigSupport.logText(status))")
        #expect(status?.cause == "host key unknown", "\(RigSupport.logText(status))")
        #expect(try String(contentsOfFile: emptyKnownHosts, encoding: .utf8).isEmpty)
        await manager.shutdown()
        await rig.stop()
    }

    @Test("a changed host key: failed with 'host key changed'")
    func changedHostKey() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let otherKey = "\(rig.directory)/other_host_key"
        _ = await SpawnLauncher().run(program: "ssh-keygen", arguments: ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]) { _ in }
        let otherPublic = try String(contentsOfFile: "\(otherKey).pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let wrongKnownHosts = "\(rig.directory)/wrong_known_hosts"
        try "[127.0.0.1]:\(rig.port) \(otherPublic)\n".write(toFile: wrongKnownHosts, atomically: true, encoding: .utf8)
        let config = try RigSupport.config(rig, tunnels: Self.bannerTunnel(
            "web", remotePort: port, rig: rig,
            extra: "ssh_options = [\"UserKnownHostsFile=\(wrongKnownHosts)\", \"GlobalKnownHostsFile=/dev/null\"]\nhost_key_policy = \"accept-new\""))
        let manager = RigSupport.manager(config)
        await manager.startAutostartTunnels()
        let status = await RigSupport.waitFor(.failed, "web", in: manager)
        #expect(status?.cause == "host key changed", "\(RigSupport.logText(status))")
        #expect(status?.hint?.contains("ssh-keygen -R") == true)
        await manager.shutdown()
        await rig.stop()
    }

    @Test("a local service down: said so, and the tunnel is not restarted for it")
    func localServiceDown() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let closedPort = try LoopbackSSHServer.freePort()
        let config = try RigSupport.config(rig, tunnels: """
            [[tunnel]]
            name = "app"
            remote = "127.0.0.1:\(port)"
            local = "127.0.0.1:\(closedPort)"
            probe = "banner"
            expect = "SSH-"
            """)
        let manager = RigSupport.manager(config)
        await manager.startAutostartTunnels()
        let status = await RigSupport.waitFor(.unreachable, "app", in: manager)
        #expect(status?.cause?.hasPrefix("local service down") == true, "\(RigSupport.logText(status))")
        let pid = status?.pid
        try await Task.sleep(for: .seconds(3))
        let later = await manager.status(of: "app", logLimit: 100)
        #expect(later?.state == .unreachable)
        #expect(later?.pid == pid && pid != nil, "ssh was not restarted")
        #expect(later?.restarts == 0)
        await manager.shutdown()
        await rig.stop()
    }

    @Test("the remote port held by another session: 'remote port in use' is named, and the tunnel is up once it is freed")
    func remotePortInUse() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        // A stale session: a plain ssh -R holding the port, as a lost connection would on the server.
        let holder = Task {
            await SpawnLauncher().run(program: "ssh", arguments: [
                "-N", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-i", rig.clientKey, "-p", String(rig.port),
            ] + rig.clientOptions.flatMap { ["-o", $0] } + ["-R", "127.0.0.1:\(port):127.0.0.1:\(rig.port)", rig.destination]) { _ in }
        }
        #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the holder binds the port")
        let manager = RigSupport.manager(try RigSupport.config(rig, tunnels: Self.bannerTunnel("web", remotePort: port, rig: rig)))
        await manager.startAutostartTunnels()
        let blocked = await RigSupport.eventually(timeout: .seconds(20)) {
            let status = await manager.status(of: "web", logLimit: 100)
            return status?.cause?.hasPrefix("waiting for the server to release port \(port) (stale session)") == true
                && status?.recentLog.contains { $0.text.contains("cannot reclaim port \(port)") } == true
        }
        let status = await manager.status(of: "web", logLimit: 100)
        #expect(blocked, "\(RigSupport.logText(status))")
        #expect(status?.hint?.contains("tunnel-tui-reclaim") == true)
        let polling = await RigSupport.eventually(timeout: .seconds(10)) {
            guard let now = await manager.status(of: "web"), now.state == .backoff, let retry = now.retryInSeconds else { return false }
            return retry <= 2.1
        }
        #expect(polling, "polls every 2 s while the port is held, no growing backoff")
        #expect(status?.recentLog.contains { $0.text.contains("cannot reclaim port \(port)") } == true, "\(RigSupport.logText(status))")
        holder.cancel()
        _ = await holder.value
        let up = await RigSupport.waitFor(.up, "web", in: manager, timeout: .seconds(40))
        #expect(up?.state == .up, "\(RigSupport.logText(up))")
        await manager.shutdown()
        await rig.stop()
    }

    @Test("stop ends the ssh child and releases the remote port; start brings it back")
    func stopReleasesPort() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let manager = RigSupport.manager(try RigSupport.config(rig, tunnels: Self.bannerTunnel("web", remotePort: port, rig: rig)))
        await manager.startAutostartTunnels()
        let up = await RigSupport.waitFor(.up, "web", in: manager)
        let pid = try #require(up?.pid)
        try await manager.stop("web")
        #expect(await manager.status(of: "web")?.state == .stopped, "stopped at once")
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { !ProcessTable.isAlive(pid) }, "ssh child gone")
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { await !RigSupport.isListening(port) }, "remote port released")
        try await Task.sleep(for: .seconds(1))
        #expect(await manager.status(of: "web")?.state == .stopped, "stays stopped")
        try await manager.start("web")
        #expect(await RigSupport.waitFor(.up, "web", in: manager)?.state == .up)
        await #expect(throws: TunnelManagerError.self) { try await manager.stop("nope") }
        await manager.shutdown()
        await rig.stop()
    }

    @Test("shutdown ends every ssh child and returns only when they are reaped")
    func shutdownLeavesNothing() async throws {
        let rig = try await LoopbackSSHServer()
        var tunnels = ""
        var ports: [Int] = []
        for index in 0..<3 {
            let port = try LoopbackSSHServer.freePort()
            ports.append(port)
            tunnels += Self.bannerTunnel("t\(index)", remotePort: port, rig: rig) + "\n"
        }
        let manager = RigSupport.manager(try RigSupport.config(rig, tunnels: tunnels))
        await manager.startAutostartTunnels()
        var pids: [Int32] = []
        for index in 0..<3 {
            if let pid = await RigSupport.waitFor(.up, "t\(index)", in: manager)?.pid { pids.append(pid) }
        }
        #expect(pids.count == 3)
        await manager.shutdown()
        #expect(pids.allSatisfy { !ProcessTable.isAlive($0) }, "every child reaped when shutdown returns")
        #expect(ports.allSatisfy { port in RigSupport.sshProcesses(mentioning: ":\(port):").isEmpty })
        await rig.stop()
    }

    @Test("circuit breaker: sshd down with 5 tunnels with their own ssh costs one failed ssh each, then only TCP checks; all are back soon after it returns")
    func circuitBreaker() async throws {
        let rig = try await LoopbackSSHServer()
        var tunnels = ""
        for index in 0..<5 {
            tunnels += Self.bannerTunnel("t\(index)", remotePort: try LoopbackSSHServer.freePort(), rig: rig) + "\n"
        }
        // One ssh per tunnel, as before sharing (SharedConnectionTests has the shared variant).
        let manager = RigSupport.manager(try RigSupport.config(rig, defaults: ["server_check_interval": "\"1s\"", "share_connection": "false"], tunnels: tunnels))
        await manager.startAutostartTunnels()
        #expect(await RigSupport.eventually { await manager.snapshot().allSatisfy { $0.state == .up } })
        func spawns() async -> Int {
            var total = 0
            for name in await manager.names {
                total += await manager.log(of: name).filter { $0.text.hasPrefix("spawned ssh") }.count
            }
            return total
        }
        let before = await spawns()
        await rig.stopListener()
        let waiting = await RigSupport.eventually(timeout: .seconds(20)) {
            await manager.snapshot().allSatisfy { $0.cause?.hasPrefix("server unreachable") == true }
        }
        #expect(waiting, "all five wait for the server")
        try await Task.sleep(for: .seconds(6))
        let duringOutage = await spawns() - before
        #expect(duringOutage <= 7, "about one ssh attempt per tunnel while the server is down, not a storm: \(duringOutage)")
        try await rig.start()
        let returned = ContinuousClock.now
        let allUp = await RigSupport.eventually(timeout: .seconds(20)) { await manager.snapshot().allSatisfy { $0.state == .up } }
        let states = await manager.snapshot().map { "\($0.name): \($0.state) \($0.cause ?? "")" }
        #expect(allUp, "\(states)")
        #expect(ContinuousClock.now - returned < .seconds(10), "back within a few seconds of the server's return")
        await manager.shutdown()
        await rig.stop()
    }
}
