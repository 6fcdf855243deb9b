import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The `tunnel-tui daemon` binary, run as a user would, against a real sshd.
@Suite("real sshd: the daemon process", .serialized)
struct DaemonProcessTests {
    private func writeConfig(_ rig: LoopbackSSHServer, ports: [Int]) throws -> String {
        try RigSupport.writeConfig(rig, ports: ports, prefix: "d", file: "daemon.toml")
    }

    private func sshChildren(ports: [Int]) -> [Int32] {
        ports.flatMap { RigSupport.sshProcesses(mentioning: "127.0.0.1:\($0):") }
    }

    @Test("SIGTERM to the daemon ends every ssh child and exits 0")
    func sigterm() async throws {
        // The body is a method of its own: written inline in the closure it crashes the 6.3.1 compiler
        // (SendNonSendable pass).
        try await RigSupport.withRig { rig in try await sigterm(rig) }
    }

    private func sigterm(_ rig: LoopbackSSHServer) async throws {
        let ports = [try LoopbackSSHServer.freePort(), try LoopbackSSHServer.freePort()]
        let daemon = try DaemonProcess(config: try writeConfig(rig, ports: ports), socket: "\(rig.directory)/control.sock")
        defer { daemon.stop() }
        #expect(await RigSupport.eventually {
            let first = await RigSupport.isListening(ports[0])
            let second = await RigSupport.isListening(ports[1])
            return first && second
        })
        // ssh has reported each forward and the first probes have passed.
        await RigSupport.expectEventually("both tunnels up in the daemon's log", timeout: .seconds(20)) {
            daemon.log.contains("d0: up (") && daemon.log.contains("d1: up (")
        }
        let children = sshChildren(ports: ports)
        #expect(children.count == 2, "one ssh per tunnel: \(children)")
        kill(daemon.pid, SIGTERM)
        daemon.process.waitUntilExit()
        let log = daemon.log
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0, "\(log)")
        #expect(children.allSatisfy { !ProcessTable.isAlive($0) }, "no ssh outlives the daemon")
        #expect(log.contains("d0: spawned ssh (pid"), "one log line per event: \(log)")
        #expect(log.contains("d0: forward established"))
        #expect(log.contains("all ssh children ended"))
    }

    @Test("SIGKILL to the daemon still leaves no ssh behind (parent-death signal)")
    func sigkill() async throws {
        try await RigSupport.withRig { rig in
            let ports = [try LoopbackSSHServer.freePort()]
            let daemon = try DaemonProcess(config: try writeConfig(rig, ports: ports), socket: "\(rig.directory)/control.sock")
            defer { daemon.stop() }
            #expect(await RigSupport.eventually { await RigSupport.isListening(ports[0]) })
            // Real time for the daemon's process: its cooperative pool goes idle, and the parent-death signal
            // must not depend on the thread that spawned the child.
            try await Task.sleep(for: .seconds(2))
            let children = sshChildren(ports: ports)
            #expect(children.count == 1)
            #expect(children.allSatisfy { ProcessTable.isAlive($0) }, "the child survived the daemon's idle threads")
            kill(daemon.pid, SIGKILL)
            daemon.process.waitUntilExit()
            let gone = await RigSupport.eventually(timeout: .seconds(10)) { children.allSatisfy { !ProcessTable.isAlive($0) } }
            #expect(gone, "orphaned ssh still running: \(children.filter(ProcessTable.isAlive))")
            #expect(await RigSupport.eventually(timeout: .seconds(10)) { await !RigSupport.isListening(ports[0]) }, "remote port freed")
        }
    }

    @Test("config check prints each tunnel's exact ssh command; a bad file exits 1 naming file, line, tunnel and key")
    func configCheck() async throws {
        try await RigSupport.withRig { rig in
            let port = try LoopbackSSHServer.freePort()
            let path = try writeConfig(rig, ports: [port])
            let good = try await runTunnelTUI(["config", "check", "--config", path])
            #expect(good.status == 0, "\(good.error)")
            #expect(good.output.contains("1 tunnel, valid"))
            #expect(good.output.contains("-R 127.0.0.1:\(port):127.0.0.1:\(rig.port) -- \(rig.destination)"), "\(good.output)")
            let bad = "\(rig.directory)/bad.toml"
            try "[[tunnel]]\nname = \"web\"\nserver = \"-oProxyCommand=evil\"\nremote = 8080\nlocal = \"localhost:80\"\nprobe_intervall = \"5s\"\n"
                .write(toFile: bad, atomically: true, encoding: .utf8)
            let result = try await runTunnelTUI(["config", "check", "--config", bad])
            let message = result.error
            #expect(result.status == 1)
            #expect(message.contains("\(bad): line 3: tunnel \"web\": key \"server\""), "\(message)")
            #expect(message.contains("would be read by ssh as an option"))
            #expect(message.contains("line 6: tunnel \"web\": key \"probe_intervall\": unknown key; did you mean \"probe_interval\"?"), "\(message)")
        }
    }
}
