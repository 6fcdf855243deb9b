import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Config files that crash the TOML parser (toml++ aborts on some table headers), against the real binary.
@Suite("real binary: config files that crash the parser", .serialized)
struct ConfigCrashTests {
    @Test("config check on a header toml++ aborts on exits 1 with the line, never 134", arguments: ["[*]", "[#]", "[ünicode]"])
    func configCheck(header: String) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tt-crash-\(getpid())-\(header.unicodeScalars.count).toml").path
        try "\n\(header)\nx = 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let result = try await runTunnelTUI(["config", "check", "--config", path])
        #expect(result.status == 1, "\(result.error)")
        #expect(result.error.contains("\(path): line 2: TOML syntax error at column 2"), "\(result.error)")
        #expect(!result.error.contains("crashed"), "caught before the parser, not by the crash report")
    }

    @Test("a daemon survives SIGHUP and a control reload of a file that crashes the parser, keeps its tunnel, and says why")
    func daemonSurvives() async throws {
        try await RigSupport.withRig { rig in try await checkDaemonSurvives(rig) }
    }

    private func checkDaemonSurvives(_ rig: LoopbackSSHServer) async throws {
        let port = try LoopbackSSHServer.freePort()
        let config = try RigSupport.writeConfig(rig, ports: [port], prefix: "c")
        let daemon = try DaemonProcess(config: config, socket: rig.directory + "/control.sock")
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing())
        #expect(await RigSupport.eventually { await RigSupport.isListening(port) })
        let before = RigSupport.sshProcesses(mentioning: "127.0.0.1:\(port):")
        #expect(before.count == 1)

        let good = try String(contentsOfFile: config, encoding: .utf8)
        try ("[*]\n" + good).write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        let logged = await RigSupport.eventually(timeout: .seconds(30)) { daemon.log.contains("reload rejected") }
        #expect(logged, "\(daemon.log)")
        #expect(daemon.log.contains("line 1: TOML syntax error at column 2: a table name cannot start with '*'"), "\(daemon.log)")

        let reply = try ControlClient.send(.reload, path: daemon.socket, timeoutSeconds: 30)
        #expect(!reply.ok)
        #expect(reply.error?.contains("reload rejected, nothing changed") == true, "\(reply.error ?? "")")
        #expect(reply.error?.contains("a table name cannot start with '*'") == true)

        #expect(daemon.process.isRunning, "the daemon survived")
        #expect(await RigSupport.isListening(port), "the tunnel still serves")
        #expect(RigSupport.sshProcesses(mentioning: "127.0.0.1:\(port):") == before, "the same ssh child, never restarted")
        daemon.stop()
        #expect(daemon.process.terminationStatus == 0, "\(daemon.log)")
    }
}
