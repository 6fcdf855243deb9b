import Foundation
import Testing
@testable import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's control socket and the health commands, against a real sshd.
@Suite("real sshd: control socket, status, check, reload", .serialized)
struct ControlSocketTests {
    private static func tunnel(_ name: String, port: Int, local: Int, extra: String = "") -> String {
        "\n" + ConfigFixture.tunnel(name, remote: "127.0.0.1:\(port)", local: "127.0.0.1:\(local)", extra: extra)
    }

    private static func defaults(_ rig: LoopbackSSHServer) -> String {
        ConfigFixture(rig, timings: .probesOnly).with(defaults: ["probe_timeout": "\"1s\"", "backoff_max": "\"5s\""]).defaultsTable()
    }

    private func status(_ socket: String, json: Bool = false) async throws -> (status: Int32, output: String, error: String) {
        try await runTunnelTUI(["status", "--socket", socket] + (json ? ["--json"] : []))
    }

    @Test("status exit codes: 0 all up, 1 one down, 2 all failed, 3 no instance; --json parses and matches")
    func statusExitCodes() async throws {
        try await RigSupport.withRig { rig in try await statusExitCodes(rig) }
    }

    private func statusExitCodes(_ rig: LoopbackSSHServer) async throws {
        let socket = "\(rig.directory)/control.sock"
        #expect(try await status(socket).status == 3, "no daemon")
        #expect(try await status(socket).output.hasPrefix("UNKNOWN: no tunnel-tui instance answers"))

        let config = "\(rig.directory)/status.toml"
        let ports = try (0..<2).map { _ in try LoopbackSSHServer.freePort() }
        let closed = try LoopbackSSHServer.freePort()
        try (Self.defaults(rig) + Self.tunnel("a", port: ports[0], local: rig.port) + Self.tunnel("b", port: ports[1], local: rig.port))
            .write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: config, socket: socket)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing(), "\(daemon.log)")
        #expect(await RigSupport.eventually { (try? await status(socket).status) == 0 }, "all up")
        let text = try await status(socket)
        #expect(text.output.hasPrefix("OK: 2 of 2 tunnels up (daemon pid \(daemon.pid)"), "\(text.output)")
        #expect(text.output.contains("\na ") && text.output.contains("\nb "))

        let json = try await status(socket, json: true)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "OK")
        let tunnels = try #require(object["tunnels"] as? [[String: Any]])
        #expect(tunnels.map { $0["name"] as? String } == ["a", "b"])
        #expect(tunnels.allSatisfy { $0["state"] as? String == "up" && $0["pid"] is Int })

        // One down: b's local service disappears (reload points it at a closed port).
        try (Self.defaults(rig) + Self.tunnel("a", port: ports[0], local: rig.port) + Self.tunnel("b", port: ports[1], local: closed))
            .write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        #expect(await RigSupport.eventually { (try? await status(socket).status) == 1 }, "one down")
        #expect(try await status(socket).output.hasPrefix("WARNING: 1 of 2 tunnels up"))
        #expect(daemon.log.contains("SIGHUP: reloaded"), "\(daemon.log)")

        // All failed: a key the server refuses.
        try (Self.defaults(rig) + Self.tunnel("a", port: ports[0], local: rig.port, extra: "identity_file = \"\(rig.wrongKey)\""))
            .write(toFile: config, atomically: true, encoding: .utf8)
        let reload = try await runTunnelTUI(["status", "--socket", socket])  // still answers during the change
        #expect(reload.status == 1)
        _ = try ControlClient.send(.reload, path: socket)
        #expect(await RigSupport.eventually {
            let reply = try? await status(socket)
            return reply?.status == 2 && reply?.output.contains("failed       ") == true
        }, "all failed")
        #expect(try await status(socket).output.contains("permission denied (publickey)"))
        daemon.stop()
        #expect(daemon.process.terminationStatus == 0)
        #expect(try await status(socket).status == 3, "socket gone with the daemon")
    }

    @Test("start, stop and restart over the socket change real children; an unknown name lists the known ones")
    func actions() async throws {
        try await RigSupport.withRig { rig in try await actions(rig) }
    }

    private func actions(_ rig: LoopbackSSHServer) async throws {
        let socket = "\(rig.directory)/control.sock"
        let ports = try (0..<2).map { _ in try LoopbackSSHServer.freePort() }
        let config = try RigSupport.writeConfig(rig, ports: ports, prefix: "t")
        let daemon = try DaemonProcess(config: config, socket: socket)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing())
        #expect(await RigSupport.eventually { (try? await status(socket).status) == 0 })
        let before = RigSupport.sshProcesses(mentioning: ":\(ports[0]):")
        #expect(before.count == 1)

        let stopped = try await runTunnelTUI(["stop", "t0", "--socket", socket])
        #expect(stopped.status == 0, "\(stopped.error)")
        #expect(stopped.output.contains("t0") && stopped.output.contains("stopped"))
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { before.allSatisfy { !ProcessTable.isAlive($0) } })
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { await !RigSupport.isListening(ports[0]) })

        #expect(try await runTunnelTUI(["start", "t0", "--socket", socket]).status == 0)
        #expect(await RigSupport.eventually { await RigSupport.isListening(ports[0]) })
        let started = RigSupport.sshProcesses(mentioning: ":\(ports[0]):")
        #expect(try await runTunnelTUI(["restart", "t0", "--socket", socket]).status == 0)
        #expect(await RigSupport.eventually {
            let now = RigSupport.sshProcesses(mentioning: ":\(ports[0]):")
            return now.count == 1 && now != started
        }, "a new ssh after restart")

        let unknown = try await runTunnelTUI(["stop", "nope", "--socket", socket])
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("no tunnel named \"nope\"; known tunnels: t0, t1"), "\(unknown.error)")

        #expect(try await runTunnelTUI(["stop", "--all", "--socket", socket]).status == 0)
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { ports.allSatisfy { RigSupport.sshProcesses(mentioning: ":\($0):").isEmpty } })
        #expect(try await status(socket).status == 2, "all stopped on purpose counts as none up")
    }

    @Test("reload applies the difference: added starts, removed stops, changed restarts, unchanged keeps its ssh; a broken file changes nothing")
    func reload() async throws {
        try await RigSupport.withRig { rig in try await reload(rig) }
    }

    private func reload(_ rig: LoopbackSSHServer) async throws {
        let socket = "\(rig.directory)/control.sock"
        let ports = try (0..<4).map { _ in try LoopbackSSHServer.freePort() }
        let config = "\(rig.directory)/reload.toml"
        try (Self.defaults(rig) + Self.tunnel("keep", port: ports[0], local: rig.port) + Self.tunnel("drop", port: ports[1], local: rig.port)
             + Self.tunnel("change", port: ports[2], local: rig.port)).write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: config, socket: socket)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing())
        #expect(await RigSupport.eventually { (try? await status(socket).status) == 0 })
        let keepPid = RigSupport.sshProcesses(mentioning: ":\(ports[0]):")
        let dropPid = RigSupport.sshProcesses(mentioning: ":\(ports[1]):")
        let changePid = RigSupport.sshProcesses(mentioning: ":\(ports[2]):")

        try (Self.defaults(rig) + "[[tunnel]]\nname = \"broken\"\nremote = 0\n").write(toFile: config, atomically: true, encoding: .utf8)
        let rejected = try ControlClient.send(.reload, path: socket)
        #expect(!rejected.ok)
        #expect(rejected.error?.contains("reload rejected, nothing changed") == true)
        #expect(rejected.error?.contains("reload.toml: line") == true, "same messages as config check: \(rejected.error ?? "")")
        #expect(RigSupport.sshProcesses(mentioning: ":\(ports[0]):") == keepPid)

        try (Self.defaults(rig) + Self.tunnel("keep", port: ports[0], local: rig.port)
             + Self.tunnel("change", port: ports[2], local: rig.port, extra: "keepalive_count = 5")
             + Self.tunnel("new", port: ports[3], local: rig.port)).write(toFile: config, atomically: true, encoding: .utf8)
        let applied = try ControlClient.send(.reload, path: socket)
        #expect(applied.ok, "\(applied.error ?? "")")
        #expect(applied.reload?.added == ["new"])
        #expect(applied.reload?.removed == ["drop"])
        #expect(applied.reload?.changed == ["change"])
        #expect(applied.reload?.unchanged == ["keep"])
        #expect(await RigSupport.eventually { (try? await status(socket).status) == 0 })
        #expect(RigSupport.sshProcesses(mentioning: ":\(ports[0]):") == keepPid, "unchanged keeps its ssh")
        #expect(await RigSupport.eventually(timeout: .seconds(10)) { dropPid.allSatisfy { !ProcessTable.isAlive($0) } }, "removed stops")
        let changed = RigSupport.sshProcesses(mentioning: ":\(ports[2]):")
        #expect(changed.count == 1 && changed != changePid, "changed restarts")
        // first, not [0]: with no process found the expectation above fails and this one must not crash the run.
        #expect(changed.first.flatMap(ProcessTable.arguments(of:))?.contains("ServerAliveCountMax=5") == true, "with the new settings")
        #expect(RigSupport.sshProcesses(mentioning: ":\(ports[3]):").count == 1, "added starts")
        let names = try #require(try ControlClient.send(.status, path: socket).tunnels).map(\.name)
        #expect(names == ["keep", "change", "new"])
    }

    @Test("a malformed request, a 10 MB request and a client that never reads leave the daemon healthy")
    func hostileClients() async throws {
        try await RigSupport.withRig { rig in try await hostileClients(rig) }
    }

    private func hostileClients(_ rig: LoopbackSSHServer) async throws {
        let socketPath = "\(rig.directory)/control.sock"
        let config = try RigSupport.writeConfig(rig, ports: [try LoopbackSSHServer.freePort()], prefix: "h")
        let daemon = try DaemonProcess(config: config, socket: socketPath)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing())

        func connect() -> Int32 {
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            _ = try? SocketAddress.withUnixAddress(socketPath) { Glibc.connect(descriptor, $0, $1) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return descriptor
        }
        func exchange(_ descriptor: Int32, _ text: String) -> String {
            _ = text.withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        }

        let malformed = connect()
        #expect(exchange(malformed, "this is not json\n").contains("malformed request"))
        #expect(exchange(malformed, "{\"version\":9,\"command\":\"status\"}\n").contains("protocol version 9 not supported"))
        #expect(exchange(malformed, "{\"version\":1,\"command\":\"format-disk\"}\n").contains("unknown command"))
        close(malformed)

        let huge = connect()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        var sent = 0
        for _ in 0..<10 {
            let count = chunk.withUnsafeBytes { send(huge, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            sent += count
        }
        var reply = [UInt8](repeating: 0, count: 4096)
        let count = recv(huge, &reply, reply.count, 0)
        #expect(count > 0 && String(decoding: reply[0..<max(0, count)], as: UTF8.self).contains("request larger than 65536 bytes"))
        close(huge)

        // Subscribes and never reads: the daemon must drop it, not stall on it.
        let silent = connect()
        _ = "{\"version\":1,\"command\":\"subscribe\"}\n".withCString { send(silent, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        for _ in 0..<20 {
            #expect(try await runTunnelTUI(["restart", "h0", "--socket", socketPath]).status == 0)
        }
        let started = ContinuousClock.now
        let healthy = try await status(socketPath)
        #expect(healthy.status != 3 && healthy.output.contains("h0"), "still answers: \(healthy.output)")
        #expect(ContinuousClock.now - started < .seconds(5))
        close(silent)
        #expect(daemon.process.isRunning)
    }

    @Test("a peer of another uid is refused even when file permissions would let it in", .enabled(if: getuid() == 0, "needs root to run a client as nobody"))
    func otherUidRefused() async throws {
        try await RigSupport.withRig { rig in try await otherUidRefused(rig) }
    }

    private func otherUidRefused(_ rig: LoopbackSSHServer) async throws {
        let directory = "\(rig.directory)/run"
        let socket = "\(directory)/control.sock"
        let config = try RigSupport.writeConfig(rig, ports: [try LoopbackSSHServer.freePort()], prefix: "u")
        let daemon = try DaemonProcess(config: config, socket: socket)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing())
        var info = stat()
        #expect(stat(directory, &info) == 0 && info.st_mode & 0o777 == 0o700, "the socket's directory is 0700")
        // Open the path up, as a careless admin might: the peer-credential check must still refuse.
        chmod(rig.directory, 0o711)
        chmod(directory, 0o711)
        chmod(socket, 0o666)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", RigSupport.binary, "status", "--socket", socket]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output.contains("refused: the control socket serves only uid 0"), "\(output)")
        #expect(process.terminationStatus != 0)
        #expect(try await runTunnelTUI(["status", "--socket", socket]).status != 3, "its own user still gets answers")
    }

    @Test("a second daemon on the same socket refuses to start and names the first")
    func secondDaemonRefused() async throws {
        try await RigSupport.withRig { rig in try await secondDaemonRefused(rig) }
    }

    private func secondDaemonRefused(_ rig: LoopbackSSHServer) async throws {
        let socket = "\(rig.directory)/control.sock"
        let port = try LoopbackSSHServer.freePort()
        let config = try RigSupport.writeConfig(rig, ports: [port], prefix: "one")
        let first = try DaemonProcess(config: config, socket: socket)
        defer { first.stop() }
        #expect(await first.waitUntilServing())
        let second = try await runTunnelTUI(["daemon", "--config", config, "--socket", socket])
        #expect(second.status == 1)
        #expect(second.error.contains("another tunnel-tui already serves \(socket) (pid \(first.pid), daemon"), "\(second.error)")
        #expect(RigSupport.sshProcesses(mentioning: ":\(port):").count <= 1, "the second never started a tunnel")
        var info = stat()
        #expect(stat(socket, &info) == 0 && info.st_mode & 0o777 == 0o600, "socket is 0600")
        #expect(stat((socket as NSString).deletingLastPathComponent, &info) == 0 && info.st_mode & 0o077 == 0, "its directory is private")
    }

    @Test("check probes every public end and local target once, with no supervisor, with the same exit codes")
    func check() async throws {
        try await RigSupport.withRig { rig in try await check(rig) }
    }

    private func check(_ rig: LoopbackSSHServer) async throws {
        let open = try LoopbackSSHServer.freePort()
        let closed = try LoopbackSSHServer.freePort()
        let config = "\(rig.directory)/check.toml"
        // "reachable" points its public end straight at the rig's sshd, so it answers with no tunnel running.
        try (Self.defaults(rig)
             + Self.tunnel("reachable", port: open, local: rig.port, extra: "public = \"127.0.0.1:\(rig.port)\"")
             + Self.tunnel("dead", port: closed, local: rig.port)).write(toFile: config, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let result = try await runTunnelTUI(["check", "--config", config])
        #expect(ContinuousClock.now - started < .seconds(5), "within the largest probe timeout plus a little")
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.hasPrefix("WARNING: 1 of 2 public ends answer"))
        #expect(result.output.contains("public end not answering: connection refused"))
        let json = try await runTunnelTUI(["check", "--json", "--config", config])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let tunnels = try #require(object["tunnels"] as? [[String: Any]])
        #expect(tunnels.map { $0["state"] as? String } == ["up", "unreachable"])
    }
}
