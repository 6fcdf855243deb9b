import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Tunnels sharing one ssh connection, against a real sshd: one master, forwards added and cancelled on
/// their own, faults of one forward for that tunnel only, faults of the connection for all, once.
@Suite("real sshd: shared connections", .serialized)
struct SharedConnectionTests {
    private static func tunnels(_ ports: [Int], rig: LoopbackSSHServer, prefix: String = "t", extra: String = "") -> String {
        ports.enumerated().map { index, port in
            """
            [[tunnel]]
            name = "\(prefix)\(index)"
            remote = "127.0.0.1:\(port)"
            local = "127.0.0.1:\(rig.port)"
            probe = "banner"
            \(extra)

            """
        }.joined()
    }

    private static func ports(_ count: Int) throws -> [Int] {
        try (0..<count).map { _ in try LoopbackSSHServer.freePort() }
    }

    private static func allUp(_ manager: TunnelManager, timeout: Duration = .seconds(40)) async -> Bool {
        await RigSupport.eventually(timeout: timeout) { await manager.snapshot().allSatisfy { $0.state == .up } }
    }

    private static func states(_ manager: TunnelManager) async -> String {
        await manager.snapshot(logLimit: 0).map { "\($0.name): \($0.state) pid \($0.pid.map(String.init) ?? "-") \($0.cause ?? "")" }
            .joined(separator: "; ")
    }

    /// Whether the banner of the rig's sshd answers through the server's port `port`.
    private static func serves(_ port: Int) async -> Bool {
        await SocketProber().probe(ProbeRequest(
            endpoint: Endpoint(host: "127.0.0.1", port: port), kind: .banner, expect: "SSH-", timeout: .seconds(3))).passed
    }

    /// Live ssh processes running as a master (`ControlMaster=yes`) for the rig's port.
    private static func masters(of rig: LoopbackSSHServer) -> [Int32] {
        ProcessTable.parents().keys.filter { pid in
            guard ProcessTable.isAlive(pid), let arguments = ProcessTable.arguments(of: pid),
                  arguments.first.map({ ($0 as NSString).lastPathComponent }) == "ssh" else { return false }
            return arguments.contains("ControlMaster=yes") && arguments.contains(String(rig.port))
        }
    }

    @Test("ten tunnels on one server run on one ssh process and one server connection, each probed end to end")
    func tenOnOne() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(10)
            try await RigSupport.withManager(try ConfigFixture(rig).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()) { manager in
            let states1 = await Self.states(manager)
            #expect(await Self.allUp(manager), "\(states1)")
            let snapshot = await manager.snapshot()
            let states2 = await Self.states(manager)
            #expect(Set(snapshot.compactMap(\.pid)).count == 1, "one ssh pid: \(states2)")
            #expect(Set(snapshot.compactMap { $0.connection?.label }).count == 1)
            #expect(snapshot.first?.connection?.shared == true)
            #expect(snapshot.first?.connection?.forwards == 10)
            #expect(snapshot.first?.connection?.state == .up)
            #expect(Self.masters(of: rig).count == 1, "one ssh process")
            for port in ports { #expect(await Self.serves(port), "port \(port) serves") }
            // One logged-in sshd session (its privileged and its user process) for the ten. The probes' own
            // connections reach this sshd too, as the tunnels' local side, but never log in: sshd titles them
            // "[accepted]", "[preauth]" or "[net]", and a connection just accepted still has the re-executed
            // sshd's own argv ("/usr/sbin/sshd ... -R") until it sets a title. Neither is counted: a logged-in
            // session is titled "sshd: USER..." with no bracket.
            let sessions = await rig.sessionPids()
            let loggedIn = sessions.filter { pid in
                guard let title = ProcessTable.arguments(of: pid)?.joined(separator: " ") else { return false }
                return title.hasPrefix("sshd: ") && !title.contains("[")
            }
            #expect((1...2).contains(loggedIn.count), "logged-in sessions: \(sessions.map { ProcessTable.arguments(of: $0) ?? [] })")
            }
            #expect(Self.masters(of: rig).isEmpty, "no ssh left after shutdown")
        }
    }

    @Test("the master's 'connect_to HOST port P: failed' reaches only the log of the tunnel whose local side is HOST:P, not its neighbours'")
    func localFailureGoesToItsTunnel() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(2)
            let closed = try LoopbackSSHServer.freePort()
            let config = try ConfigFixture(rig).with(tunnels: """
                [[tunnel]]
                name = "healthy"
                remote = "127.0.0.1:\(ports[0])"
                local = "127.0.0.1:\(rig.port)"
                probe = "banner"

                [[tunnel]]
                name = "service-down"
                remote = "127.0.0.1:\(ports[1])"
                local = "127.0.0.1:\(closed)"
                probe = "banner"
                """).parsed()
            try await RigSupport.withManager(config) { manager in
                let down = await manager.waitUntil("service-down", is: "unreachable, its log naming the local side", logLimit: 200) {
                    $0.state == .unreachable && $0.recentLog.contains { $0.text.contains("connect_to 127.0.0.1 port \(closed)") }
                }
                #expect(down?.state == .unreachable, "\(RigSupport.logText(down))")
                let healthy = await manager.status(of: "healthy", logLimit: 500)
                #expect(healthy?.connection?.label == down?.connection?.label, "both ride one connection")
                #expect(healthy?.recentLog.contains { $0.text.contains("connect_to") } == false, "\(RigSupport.logText(healthy))")
            }
        }
    }

    @Test("each forward is stopped, restarted and started on its own while the others keep serving; a stop frees its port on the server")
    func forwardsAlone() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(4)
            try await RigSupport.withManager(try ConfigFixture(rig).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()) { manager in
            let states3 = await Self.states(manager)
            #expect(await Self.allUp(manager), "\(states3)")
            let master = try #require(await manager.status(of: "t0")?.pid)

            try await manager.stop("t0")
            let freed = await RigSupport.eventually(timeout: .seconds(10)) { await !RigSupport.isListening(ports[0]) }
            #expect(freed, "the server released t0's port")
            #expect(await manager.status(of: "t0")?.state == .stopped)
            for port in ports.dropFirst() { #expect(await Self.serves(port), "port \(port) still serves") }

            try await manager.restart("t2")
            #expect(await RigSupport.waitFor(.up, "t2", in: manager)?.state == .up)
            #expect(await manager.status(of: "t2")?.restarts == 1)
            #expect(await manager.status(of: "t1")?.restarts == 0, "a restart counts for that tunnel only")
            #expect(await manager.status(of: "t3")?.state == .up)

            try await manager.start("t0")
            let back = await RigSupport.waitFor(.up, "t0", in: manager)
            #expect(back?.state == .up, "\(RigSupport.logText(back))")
            #expect(await Self.serves(ports[0]))
            let states4 = await Self.states(manager)
            #expect(await manager.snapshot().allSatisfy { $0.pid == master }, "the same master all along: \(states4)")
            #expect(Self.masters(of: rig).count == 1)
            }
        }
    }

    @Test("a remote port held by another session fails only that tunnel, with the cause; it comes up once freed")
    func heldPortFailsOnlyThatTunnel() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(4)
            let holder = Task {
                await SpawnLauncher().run(program: "ssh", arguments: [
                    "-N", "-o", "BatchMode=yes", "-i", rig.clientKey, "-p", String(rig.port),
                ] + rig.clientOptions.flatMap { ["-o", $0] } + ["-R", "127.0.0.1:\(ports[2]):127.0.0.1:\(rig.port)", rig.destination]) { _ in }
            }
            #expect(await RigSupport.eventually { await RigSupport.isListening(ports[2]) }, "the holder binds the port")
            try await RigSupport.withManager(try ConfigFixture(rig).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()) { manager in
            let blocked = await RigSupport.eventually(timeout: .seconds(30)) {
                let others = await [0, 1, 3].asyncAllSatisfy { await manager.status(of: "t\($0)")?.state == .up }
                let held = await manager.status(of: "t2")?.cause?.hasPrefix("waiting for the server to release port \(ports[2])") == true
                return others && held
            }
            let states5 = await Self.states(manager)
            #expect(blocked, "\(states5)")
            let master = await manager.status(of: "t0")?.pid
            holder.cancel()
            _ = await holder.value
            let up = await RigSupport.waitFor(.up, "t2", in: manager, timeout: .seconds(30))
            #expect(up?.state == .up, "\(RigSupport.logText(up))")
            #expect(await manager.snapshot().allSatisfy { $0.pid == master }, "the connection was never restarted for it")
            }
        }
    }

    @Test("the master killed with SIGKILL: all ten are back on one new master")
    func masterKilled() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(10)
            try await RigSupport.withManager(try ConfigFixture(rig).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()) { manager in
            let states6 = await Self.states(manager)
            #expect(await Self.allUp(manager), "\(states6)")
            let master = try #require(await manager.status(of: "t0")?.pid)
            kill(master, SIGKILL)
            let back = await RigSupport.eventually(timeout: .seconds(30)) {
                let snapshot = await manager.snapshot()
                return snapshot.allSatisfy { $0.state == .up && $0.pid != nil && $0.pid != master }
            }
            let states7 = await Self.states(manager)
            #expect(back, "\(states7)")
            #expect(Set(await manager.snapshot().compactMap(\.pid)).count == 1, "one new master")
            #expect(Self.masters(of: rig).count == 1)
            for port in ports { #expect(await Self.serves(port)) }
            }
        }
    }

    @Test("a wrong key fails every tunnel of the connection with permission denied, with one attempt, no storm")
    func wrongKeyFailsAll() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(5)
            try await RigSupport.withManager(try ConfigFixture(rig).with(defaults: ["identity_file": "\"\(rig.wrongKey)\"", "backoff_max": "\"30s\""]).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()) { manager in
            let failed = await RigSupport.eventually(timeout: .seconds(20)) {
                await manager.snapshot().allSatisfy { $0.state == .failed && $0.cause == "permission denied (publickey)" }
            }
            let states8 = await Self.states(manager)
            #expect(failed, "\(states8)")
            try await Task.sleep(for: .seconds(3))
            let log = await manager.log(of: "t0")
            #expect(log.filter { $0.text.contains("spawned ssh master") }.count == 1, "one master attempt for five tunnels")
            #expect(await manager.snapshot().allSatisfy { $0.restarts == 0 && ($0.retryInSeconds ?? 0) > 20 })
            }
        }
    }

    @Test("sshd down with five tunnels on one connection: they wait behind the server check and are back on one master soon after it returns")
    func serverDownAndBack() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(5)
            try await RigSupport.withManager(try ConfigFixture(rig).with(defaults: ["server_check_interval": "\"1s\""]).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()) { manager in
            #expect(await Self.allUp(manager))
            let spawnsBefore = await manager.log(of: "t0").filter { $0.text.contains("spawned ssh master") }.count
            await rig.stopListener()
            let waiting = await RigSupport.eventually(timeout: .seconds(20)) {
                await manager.snapshot().allSatisfy { $0.cause?.hasPrefix("server unreachable") == true }
            }
            let states9 = await Self.states(manager)
            #expect(waiting, "\(states9)")
            try await Task.sleep(for: .seconds(4))
            let during = await manager.log(of: "t0").filter { $0.text.contains("spawned ssh master") }.count - spawnsBefore
            #expect(during <= 2, "about one master attempt while the server is down: \(during)")
            try await rig.start()
            let returned = ContinuousClock.now
            let states10 = await Self.states(manager)
            #expect(await Self.allUp(manager, timeout: .seconds(20)), "\(states10)")
            #expect(ContinuousClock.now - returned < .seconds(10))
            #expect(Set(await manager.snapshot().compactMap(\.pid)).count == 1)
            }
        }
    }

    @Test("share_connection = false: each tunnel runs its own ssh, as before sharing")
    func notShared() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(3)
            try await RigSupport.withManager(try ConfigFixture(rig).with(defaults: ["share_connection": "false"]).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()) { manager in
            let states11 = await Self.states(manager)
            #expect(await Self.allUp(manager), "\(states11)")
            let snapshot = await manager.snapshot()
            #expect(Set(snapshot.compactMap(\.pid)).count == 3, "three ssh processes")
            #expect(snapshot.allSatisfy { $0.connection?.shared == false && $0.connection?.label == "own" })
            #expect(Self.masters(of: rig).isEmpty, "no master")
            for port in ports { #expect(RigSupport.sshProcesses(mentioning: ":\(port):").count == 1) }
            }
        }
    }

    @Test("a reload that changes one tunnel's connection settings moves it to its own connection; the others are not disturbed")
    func reloadMovesTunnel() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(3)
            let first = try ConfigFixture(rig).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()
            try await RigSupport.withManager(first) { manager in
            let states12 = await Self.states(manager)
            #expect(await Self.allUp(manager), "\(states12)")
            let before = await manager.snapshot()
            let master = try #require(before.first?.pid)
            let label = before.first?.connection?.label
            var tunnels = Self.tunnels(Array(ports.prefix(2)), rig: rig)
            tunnels += Self.tunnels([ports[2]], rig: rig, prefix: "moved", extra: "keepalive_count = 4").replacingOccurrences(of: "moved0", with: "t2")
            let summary = await manager.reload(try ConfigFixture(rig).with(tunnels: tunnels).parsed())
            #expect(summary.changed == ["t2"])
            let moved = await RigSupport.eventually(timeout: .seconds(30)) {
                guard let status = await manager.status(of: "t2") else { return false }
                return status.state == .up && status.pid != master && status.connection?.label != label
            }
            let states13 = await Self.states(manager)
            #expect(moved, "\(states13)")
            let after = await manager.snapshot()
            for name in ["t0", "t1"] {
                let status = after.first { $0.name == name }
                #expect(status?.pid == master && status?.restarts == 0 && status?.state == .up, "\(name) undisturbed")
            }
            #expect(await Self.serves(ports[2]))
            #expect(Self.masters(of: rig).count == 2)
            }
            #expect(Self.masters(of: rig).isEmpty)
        }
    }

    /// Writes a daemon config with shared connections (one tunnel per port, `prefix0`...).
    private static func daemonConfig(_ rig: LoopbackSSHServer, ports: [Int]) throws -> String {
        let path = "\(rig.directory)/shared.toml"
        var text = ConfigFixture(rig, timings: .probesOnly).with(defaults: ["share_connection": "true"]).defaultsTable()
        for (index, port) in ports.enumerated() {
            text += "\n[[tunnel]]\nname = \"s\(index)\"\nremote = \"127.0.0.1:\(port)\"\nlocal = \"127.0.0.1:\(rig.port)\"\nprobe = \"banner\"\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the daemon ended by SIGTERM or SIGKILL leaves no ssh master and frees every port", arguments: [SIGTERM, SIGKILL])
    func daemonLeavesNoSSH(signal: Int32) async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(3)
            let config = try Self.daemonConfig(rig, ports: ports)
            let daemon = try DaemonProcess(config: config, socket: "\(rig.directory)/shared.sock")
            defer { daemon.stop() }
            let listening = await RigSupport.eventually { await ports.asyncAllSatisfy { await RigSupport.isListening($0) } }
            #expect(listening, "\(daemon.log)")
            // Let the cooperative pool go idle: the parent-death signal must not depend on the spawning thread.
            try await Task.sleep(for: .seconds(2))
            let masters = Self.masters(of: rig)
            #expect(masters.count == 1, "one ssh for three tunnels: \(masters)")
            kill(daemon.pid, signal)
            daemon.process.waitUntilExit()
            let gone = await RigSupport.eventually(timeout: .seconds(10)) { masters.allSatisfy { !ProcessTable.isAlive($0) } }
            #expect(gone, "ssh master outlived the daemon: \(masters.filter(ProcessTable.isAlive))")
            let freed = await RigSupport.eventually(timeout: .seconds(10)) { await ports.asyncAllSatisfy { await !RigSupport.isListening($0) } }
            #expect(freed, "remote ports freed")
        }
    }

    @Test("the master and forward commands config check prints for a shared connection work pasted into a shell: both ports serve through one ssh")
    func configCheckCommandsByHand() async throws {
        try await RigSupport.withRig { rig in
            let ports = try Self.ports(2)
            let config = try ConfigFixture(rig).with(tunnels: Self.tunnels(ports, rig: rig)).write(to: "\(rig.directory)/by-hand.toml")
            let check = try await runTunnelTUI(["config", "check", "--config", config])
            try #require(check.status == 0, "\(check.error)")
            // What a user does with the output: copy each line, with a path of their own for the control socket.
            let socket = "\(rig.directory)/by-hand.sock"
            func pasted(_ label: String) -> [String] {
                check.output.split(separator: "\n").compactMap { line in
                    let text = line.trimmingCharacters(in: .whitespaces)
                    return text.hasPrefix("\(label): ") ? String(text.dropFirst(label.count + 2)).replacing("CONTROL_SOCKET", with: socket) : nil
                }
            }
            let masterLines = pasted("master")
            let forwardLines = pasted("forward")
            #expect(check.output.contains("shared connection 1: \(rig.destination):\(rig.port) for t0, t1"), "\(check.output)")
            #expect(check.output.contains("connection: shared connection 1, with t1"), "\(check.output)")
            try #require(masterLines.count == 1 && forwardLines.count == 2, "\(check.output)")
            #expect(!check.output.contains("command: "), "no tunnel runs its own ssh: \(check.output)")

            // Spawned by the product's launcher: Foundation's Process takes the exec of `bash -c "exec ..."` for
            // the child's end and then blocks its only reaper thread in wait4 for it.
            let masterPid = SharedValue<Int32?>(nil)
            let master = Task {
                await SpawnLauncher().run(program: "/bin/bash", arguments: ["-c", "exec " + masterLines[0]]) { output in
                    if case .started(let pid) = output { masterPid.update { $0 = pid } }
                }
            }
            defer { master.cancel() }
            #expect(await RigSupport.eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: socket) }, "the master made its control socket")
            for line in forwardLines {
                let forward = try runProgram("/bin/bash", ["-c", line])
                #expect(forward.status == 0, "\(line): \(forward.output)")
            }
            for port in ports { #expect(await Self.serves(port), "port \(port) serves through the pasted master") }
            #expect(masterPid.value != nil && Self.masters(of: rig) == [masterPid.value].compactMap { $0 }, "one ssh process carries both")
            master.cancel()
            _ = await master.value
            #expect(Self.masters(of: rig).isEmpty, "no master left behind")
        }
    }

    @Test("a stale master session holding every port of the connection is reclaimed through the new master, and all its tunnels come up")
    func staleMasterReclaimed() async throws {
        let ports = try Self.ports(3)
        let script = ReclaimTests.script
        try await RigSupport.withRig(authorizedKeyOptions: "command=\"/bin/sh \(script) \(ports.map(String.init).joined(separator: " "))\"") { rig in
            try await Self.staleMasterIsReclaimed(rig, ports: ports)
        }
    }

    @Test("as an unprivileged VPS user on OpenSSH 9.2 (sessions named sshd), a stale master holding every port is reclaimed through the new master",
          .enabled(if: ReclaimTests.isRoot, "needs root to make the unprivileged user"))
    func staleMasterReclaimedUnprivileged() async throws {
        try await Self.staleMasterUnprivileged(.openSSH9)
    }

    @Test("as an unprivileged VPS user on OpenSSH 10 (sessions named sshd-session), a stale master holding every port is reclaimed through the new master",
          .enabled(if: ReclaimTests.hasTrixie, "needs root and the trixie root (scripts/prepare-vps-root)"))
    func staleMasterReclaimedOnOpenSSH10() async throws {
        try await Self.staleMasterUnprivileged(.openSSH10)
    }

    /// The forced command of the tunnel user's key is the script for the connection's ports, as server-setup
    /// prints it, on `vps`'s sshd.
    private static func staleMasterUnprivileged(_ vps: ReclaimTests.VPS) async throws {
        let ports = try Self.ports(3)
        try await RigSupport.withRig(
            authorizedKeyOptions: "restrict,port-forwarding,command=\"$RIG/tunnel-tui-reclaim \(ports.map(String.init).joined(separator: " "))\"",
            files: ["tunnel-tui-reclaim": ReclaimTests.script], loginUser: ReclaimTests.tunnelUser, systemRoot: vps.systemRoot
        ) { rig in
            try await Self.staleMasterIsReclaimed(rig, ports: ports)
        }
    }

    /// Freezes a first supervisor's master (its server session keeps holding every port) and checks that a second
    /// supervisor reclaims the ports through its own master, never ending that one, and brings every tunnel up.
    private static func staleMasterIsReclaimed(_ rig: LoopbackSSHServer, ports: [Int]) async throws {
        let config = try ConfigFixture(rig).with(defaults: ["reclaim_script": "true"]).with(tunnels: Self.tunnels(ports, rig: rig)).parsed()
        // The old supervisor's master, frozen: its session on the server keeps holding the three ports.
        try await RigSupport.withManager(config) { old in
            #expect(await Self.allUp(old))
            let oldMaster = try #require(await old.status(of: "t0")?.pid)
            kill(oldMaster, SIGSTOP)
            defer {
                kill(oldMaster, SIGKILL)
                kill(oldMaster, SIGCONT)
            }
            try await RigSupport.withManager(config) { manager in
                let up = await Self.allUp(manager, timeout: .seconds(60))
                let states = await Self.states(manager)
                #expect(up, "\(states)")
                let logs = await manager.log(of: "t0") + manager.log(of: "t1") + manager.log(of: "t2")
                #expect(logs.contains { $0.text.contains("server: reclaimed port") }, "\(logs.map(\.text).joined(separator: "\n"))")
                let masters = Set(await manager.snapshot().compactMap(\.pid))
                #expect(masters.count == 1 && !masters.contains(oldMaster), "the new master was never the one ended")
            }
        }
    }
}

extension Array where Element: Sendable {
    fileprivate func asyncAllSatisfy(_ predicate: (Element) async -> Bool) async -> Bool {
        for element in self where !(await predicate(element)) { return false }
        return true
    }
}
