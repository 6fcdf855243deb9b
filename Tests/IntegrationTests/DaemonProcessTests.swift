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
    static var binary: String { RigSupport.binary }

    private func writeConfig(_ rig: LoopbackSSHServer, ports: [Int]) throws -> String {
        try RigSupport.writeConfig(rig, ports: ports, prefix: "d", file: "daemon.toml")
    }

    /// Starts the daemon; returns its process and a buffer of its stderr.
    private func startDaemon(config: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["daemon", "--config", config, "--socket", (config as NSString).deletingLastPathComponent + "/control.sock"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, pipe)
    }

    private func sshChildren(ports: [Int]) -> [Int32] {
        ports.flatMap { RigSupport.sshProcesses(mentioning: "127.0.0.1:\($0):") }
    }

    @Test("SIGTERM to the daemon ends every ssh child and exits 0")
    func sigterm() async throws {
        let rig = try await LoopbackSSHServer()
        let ports = [try LoopbackSSHServer.freePort(), try LoopbackSSHServer.freePort()]
        let (daemon, pipe) = try startDaemon(config: try writeConfig(rig, ports: ports))
        let upBoth = await RigSupport.eventually { let first = await RigSupport.isListening(ports[0]); let second = await RigSupport.isListening(ports[1]); return first && second }
        #expect(upBoth)
        // Give ssh time to report the forward and the first probes to run.
        try await Task.sleep(for: .seconds(2))
        let children = sshChildren(ports: ports)
        #expect(children.count == 2, "one ssh per tunnel: \(children)")
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0, "\(log)")
        #expect(children.allSatisfy { !ProcessTable.isAlive($0) }, "no ssh outlives the daemon")
        #expect(log.contains("d0: spawned ssh (pid"), "one log line per event: \(log)")
        #expect(log.contains("d0: forward established"))
        #expect(log.contains("all ssh children ended"))
        await rig.stop()
    }

    @Test("SIGKILL to the daemon still leaves no ssh behind (parent-death signal)")
    func sigkill() async throws {
        let rig = try await LoopbackSSHServer()
        let ports = [try LoopbackSSHServer.freePort()]
        let (daemon, _) = try startDaemon(config: try writeConfig(rig, ports: ports))
        #expect(await RigSupport.eventually { await RigSupport.isListening(ports[0]) })
        // Let the cooperative pool go idle: the parent-death signal must not depend on the spawning thread.
        try await Task.sleep(for: .seconds(2))
        let children = sshChildren(ports: ports)
        #expect(children.count == 1)
        #expect(children.allSatisfy { ProcessTable.isAlive($0) }, "the child survived the daemon's idle threads")
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let gone = await RigSupport.eventually(timeout: .seconds(10)) { children.allSatisfy { !ProcessTable.isAlive($0) } }
        #expect(gone, "orphaned ssh still running: \(children.filter(ProcessTable.isAlive))")
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { await !RigSupport.isListening(ports[0]) }, "remote port freed")
        await rig.stop()
    }

    @Test("config check prints each tunnel's exact ssh command; a bad file exits 1 naming file, line, tunnel and key")
    func configCheck() async throws {
        let rig = try await LoopbackSSHServer()
        let port = try LoopbackSSHServer.freePort()
        let path = try writeConfig(rig, ports: [port])
        let good = try NetworkNamespace.run([Self.binary, "config", "check", "--config", path])
        #expect(good.contains("1 tunnel, valid"))
        #expect(good.contains("-R 127.0.0.1:\(port):127.0.0.1:\(rig.port) -- \(rig.destination)"), "\(good)")
        let bad = "\(rig.directory)/bad.toml"
        try "[[tunnel]]\nname = \"web\"\nserver = \"-oProxyCommand=evil\"\nremote = 8080\nlocal = \"localhost:80\"\nprobe_intervall = \"5s\"\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["config", "check", "--config", bad]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(message.contains("\(bad): line 3: tunnel \"web\": key \"server\""), "\(message)")
        #expect(message.contains("would be read by ssh as an option"))
        #expect(message.contains("line 6: tunnel \"web\": key \"probe_intervall\": unknown key; did you mean \"probe_interval\"?"), "\(message)")
        await rig.stop()
    }
}
