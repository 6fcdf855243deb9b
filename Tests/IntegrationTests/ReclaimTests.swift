import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// contrib/tunnel-tui-reclaim: the script alone, and the whole path against a real sshd.
@Suite("real sshd: reclaiming a port held by a stale session", .serialized)
struct ReclaimTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("contrib/tunnel-tui-reclaim").path

    private func runScript(_ request: String, allowed: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [Self.script] + allowed
        process.environment = ["SSH_ORIGINAL_COMMAND": request, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("the script refuses other commands, non-ports, ports the key may not use, and a free port", arguments: [
        ("ls -la", "only 'reclaim PORT' is allowed"),
        ("reclaim", "only 'reclaim PORT' is allowed"),
        ("reclaim 22; rm -rf /", "is not a port number"),
        ("reclaim -1", "is not a port number"),
        ("reclaim 99999", "out of range"),
        ("reclaim 8080", "may not reclaim port 8080"),
    ])
    func refuses(request: String, message: String) throws {
        let result = try runScript(request, allowed: ["2222"])
        #expect(result.status == 1)
        #expect(result.output.contains(message), "\(result.output)")
    }

    @Test("a port nothing listens on is reported free")
    func freePort() throws {
        let port = try LoopbackSSHServer.freePort()
        let result = try runScript("reclaim \(port)", allowed: [String(port)])
        #expect(result.status == 1)
        #expect(result.output.contains("it is free already"))
    }

    @Test("the script passes shellcheck", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck"), "shellcheck not installed"))
    func shellcheck() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/shellcheck")
        process.arguments = [Self.script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
    }

    @Test("with the script as the key's forced command, a port held by a stale session is reclaimed and the tunnel comes up")
    func wholePath() async throws {
        let port = try LoopbackSSHServer.freePort()
        let rig = try await LoopbackSSHServer(authorizedKeyOptions: "command=\"/bin/sh \(Self.script) \(port)\"")
        // The stale session: an ssh -R with the same key still holding the port on the server.
        let holderExit = SharedValue<ChildExit?>(nil)
        let holder = Task {
            let exit = await SpawnLauncher().run(program: "ssh", arguments: [
                "-N", "-o", "BatchMode=yes", "-i", rig.clientKey, "-p", String(rig.port),
            ] + rig.clientOptions.flatMap { ["-o", $0] } + ["-R", "127.0.0.1:\(port):127.0.0.1:\(rig.port)", "--", rig.destination]) { _ in }
            holderExit.update { $0 = exit }
        }
        #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the stale session holds the port")
        let manager = RigSupport.manager(try RigSupport.config(rig, tunnels: """
            [[tunnel]]
            name = "web"
            remote = "127.0.0.1:\(port)"
            local = "127.0.0.1:\(rig.port)"
            probe = "banner"
            """))
        await manager.startAutostartTunnels()
        let up = await RigSupport.waitFor(.up, "web", in: manager, timeout: .seconds(30))
        #expect(up?.state == .up, "\(RigSupport.logText(up))")
        #expect(up?.recentLog.contains { $0.text.contains("server: reclaimed port \(port)") } == true, "\(RigSupport.logText(up))")
        #expect(up?.recentLog.contains { $0.text.contains("port \(port) reclaimed; reconnecting") } == true)
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { holderExit.value != nil }, "the stale session was ended")
        await manager.shutdown()
        holder.cancel()
        _ = await holder.value
        await rig.stop()
    }
}
