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
        try runProgram("/bin/sh", [Self.script] + allowed, environment: [
            "SSH_ORIGINAL_COMMAND": request, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": FileManager.default.temporaryDirectory.path,
        ])
    }

    @Test("the script refuses other commands, non-ports, ports the key may not use, and a free port", arguments: [
        ("ls -la", "only 'reclaim PORT' and 'hold PORT...' are allowed"),
        ("reclaim", "only 'reclaim PORT' and 'hold PORT...' are allowed"),
        ("reclaim 22; rm -rf /", "is not a port number"),
        ("reclaim -1", "is not a port number"),
        ("reclaim 99999", "out of range"),
        ("reclaim 8080", "may not reclaim port 8080"),
        ("hold", "only 'reclaim PORT' and 'hold PORT...' are allowed"),
        ("hold 2222 8080", "may not reclaim port 8080"),
        ("hold 2222;reboot", "is not a port number"),
        ("hold 0", "out of range"),
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
        let lint = try runProgram("/usr/bin/shellcheck", [Self.script])
        #expect(lint.status == 0, "\(lint.output)")
    }

    @Test("with the script as the key's forced command, a port held by a stale session is reclaimed and the tunnel comes up")
    func wholePath() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRig(authorizedKeyOptions: "command=\"/bin/sh \(Self.script) \(port)\"") { rig in
            // The stale session: an ssh -R with the same key still holding the port on the server.
            let holderExit = SharedValue<ChildExit?>(nil)
            let holder = Task {
                let exit = await SpawnLauncher().run(program: "ssh", arguments: [
                    "-N", "-o", "BatchMode=yes", "-i", rig.clientKey, "-p", String(rig.port),
                ] + rig.clientOptions.flatMap { ["-o", $0] } + ["-R", "127.0.0.1:\(port):127.0.0.1:\(rig.port)", "--", rig.destination]) { _ in }
                holderExit.update { $0 = exit }
            }
            defer { holder.cancel() }
            #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the stale session holds the port")
            try await RigSupport.withManager(try ConfigFixture(rig).with(tunnel: "web", remote: "127.0.0.1:\(port)", local: "127.0.0.1:\(rig.port)").parsed()) { manager in
                let up = await RigSupport.waitFor(.up, "web", in: manager, timeout: .seconds(30))
                #expect(up?.state == .up, "\(RigSupport.logText(up))")
                #expect(up?.recentLog.contains { $0.text.contains("server: reclaimed port \(port)") } == true, "\(RigSupport.logText(up))")
                #expect(up?.recentLog.contains { $0.text.contains("port \(port) reclaimed; reconnecting") } == true)
                #expect(await RigSupport.eventually(timeout: .seconds(10)) { holderExit.value != nil }, "the stale session was ended")
            }
            holder.cancel()
            _ = await holder.value
        }
    }

    // MARK: - An unprivileged tunnel user, on OpenSSH 9.2 (this system) and 10 (Debian trixie)

    /// The server side of the tests below: this system's sshd, or trixie's in a chroot.
    enum VPS: String, CustomStringConvertible {
        case openSSH9 = "OpenSSH 9.2 (sessions named sshd)"
        case openSSH10 = "OpenSSH 10 from trixie (sessions named sshd-session)"

        var description: String { rawValue }
        /// The chroot sshd runs in, if any.
        var systemRoot: String? { self == .openSSH10 ? ReclaimTests.trixieRoot : nil }
        /// The name of the session processes the script must accept.
        var sessionName: String { self == .openSSH10 ? "sshd-session" : "sshd" }
    }

    /// The unprivileged VPS user the rig logs in as (made by the rig, on the host or inside the chroot).
    static let tunnelUser = "tt-rig"
    static let isRoot = getuid() == 0
    static let trixieRoot = ProcessInfo.processInfo.environment["TUNNEL_TUI_VPS_ROOT"] ?? "/var/cache/tunnel-tui-acceptance/vps-trixie"
    static let hasTrixie = isRoot && FileManager.default.fileExists(atPath: trixieRoot + "/.tunnel-tui-ready")
        && FileManager.default.isExecutableFile(atPath: trixieRoot + "/usr/sbin/sshd")

    /// Runs `body` against a rig whose login user is unprivileged and whose key's forced command is the
    /// script for `port`; the rig is stopped afterwards, even when `body` throws.
    private func withUnprivilegedRig(_ vps: VPS, port: Int, _ body: (LoopbackSSHServer) async throws -> Void) async throws {
        try await RigSupport.withRig(
            authorizedKeyOptions: "restrict,port-forwarding,command=\"$RIG/tunnel-tui-reclaim \(port)\"",
            files: ["tunnel-tui-reclaim": Self.script], loginUser: Self.tunnelUser, systemRoot: vps.systemRoot, body)
    }

    /// The common ssh options to reach `rig` with its client key.
    private func sshOptions(_ rig: LoopbackSSHServer) -> [String] {
        ["-T", "-o", "BatchMode=yes", "-i", rig.clientKey, "-p", String(rig.port)] + rig.clientOptions.flatMap { ["-o", $0] }
    }

    /// Runs `ssh ... DESTINATION request...` once; its exit and output.
    private func ask(_ rig: LoopbackSSHServer, _ request: [String]) async -> (exit: ChildExit, output: String) {
        let lines = SharedValue<[String]>([])
        let exit = await SpawnLauncher().run(program: "ssh", arguments: sshOptions(rig) + ["--", rig.destination] + request) { event in
            if case .line(let line) = event { lines.update { $0.append(line) } }
        }
        return (exit, lines.value.joined(separator: "\n"))
    }

    /// Runs `body` while an ssh holds `port` on the server through `rig` (as a tunnel would: registered with
    /// `hold PORT`, or plain `-N`), and ends that ssh afterwards; `body` gets whether it has exited.
    private func withHolder(_ rig: LoopbackSSHServer, port: Int, registered: Bool,
                            _ body: (@escaping @Sendable () -> Bool) async throws -> Void) async throws {
        let exited = SharedValue<ChildExit?>(nil)
        let forward = ["-R", "127.0.0.1:\(port):127.0.0.1:\(rig.port)"]
        let tail = registered ? ["--", rig.destination, "hold", String(port)] : ["-N", "--", rig.destination]
        let holder = Task { [arguments = sshOptions(rig) + forward + tail] in
            let exit = await SpawnLauncher().run(program: "ssh", arguments: arguments) { _ in }
            exited.update { $0 = exit }
        }
        defer { holder.cancel() }
        do {
            try await body { exited.value != nil }
        } catch {
            holder.cancel()
            _ = await holder.value
            throw error
        }
        holder.cancel()
        _ = await holder.value
    }

    /// Names of the rig's session processes owned by a non-root user (the ones that hold forwards).
    private func userSessionNames(_ rig: LoopbackSSHServer) async -> [String] {
        await rig.sessionPids().compactMap { pid -> String? in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
            let fields = Dictionary(status.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
            }, uniquingKeysWith: { first, _ in first })
            guard fields["Uid"]?.split(separator: "\t").first != "0" else { return nil }
            return fields["Name"]
        }
    }

    private func scriptAlone(_ vps: VPS) async throws {
        let port = try LoopbackSSHServer.freePort()
        try await withUnprivilegedRig(vps, port: port) { rig in
            // Free port, and refusals through the forced command.
            let free = await ask(rig, ["reclaim", String(port)])
            #expect(free.exit == .exited(1) && free.output.contains("it is free already"), "\(free)")
            let other = await ask(rig, ["reclaim", String(port + 1)])
            #expect(other.exit == .exited(1) && other.output.contains("may not reclaim port \(port + 1)"), "\(other)")
            let shell = await ask(rig, ["id"])
            #expect(shell.exit == .exited(1) && shell.output.contains("only 'reclaim PORT' and 'hold PORT...' are allowed"), "\(shell)")

            // A port held by a process of another user (root, here) is refused.
            let rootListener = try TCPListener(host: "127.0.0.1", port: port)
            let foreign = await ask(rig, ["reclaim", String(port)])
            rootListener.close()
            #expect(foreign.exit == .exited(1) && foreign.output.contains("held by a process of another user (uid 0)"), "\(foreign)")

            // A session that never registered (plain ssh -N) cannot be found: say so and what to do.
            try await withHolder(rig, port: port, registered: false) { _ in
                #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the -N session holds the port")
                let unregistered = await ask(rig, ["reclaim", String(port)])
                #expect(unregistered.exit == .exited(1) && unregistered.output.contains("reclaim_script = true"), "\(unregistered)")
                #expect(await RigSupport.isListening(port), "nothing was ended")
            }
            #expect(await RigSupport.eventually { await !RigSupport.isListening(port) })

            // A session that registered with `hold` is found and ended, and the port is free again.
            try await withHolder(rig, port: port, registered: true) { holderExited in
                #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the registered session holds the port")
                let names = await userSessionNames(rig)
                #expect(names.contains(vps.sessionName), "\(names)")
                let reclaimed = await ask(rig, ["reclaim", String(port)])
                #expect(reclaimed.exit == .exited(0) && reclaimed.output.contains("reclaimed port \(port) (ended stale sshd session:"), "\(reclaimed)")
                #expect(await RigSupport.eventually(timeout: .seconds(10)) { holderExited() }, "the holding ssh was disconnected")
                #expect(await !RigSupport.isListening(port))
            }
        }
    }

    @Test("as an unprivileged user on OpenSSH 9.2, the script refuses what it refused, reclaims a port held by a registered session, and says what to do for one that did not register",
          .enabled(if: isRoot, "needs root to make the unprivileged rig user"))
    func scriptAloneOpenSSH9() async throws {
        try await scriptAlone(.openSSH9)
    }

    @Test("as an unprivileged user on OpenSSH 10 (sshd-session), the script refuses what it refused, reclaims a port held by a registered session, and says what to do for one that did not register",
          .enabled(if: hasTrixie, "needs root and the trixie root (scripts/prepare-vps-root)"))
    func scriptAloneOpenSSH10() async throws {
        try await scriptAlone(.openSSH10)
    }

    @Test("as root on OpenSSH 10, a session that ss -p names (sshd-session) is reclaimed without registering",
          .enabled(if: hasTrixie, "needs root and the trixie root (scripts/prepare-vps-root)"))
    func rootOnOpenSSH10() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRig(authorizedKeyOptions: "command=\"$RIG/tunnel-tui-reclaim \(port)\"",
                                     files: ["tunnel-tui-reclaim": Self.script], systemRoot: Self.trixieRoot) { rig in
            try await withHolder(rig, port: port, registered: false) { holderExited in
                #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the -N session holds the port")
                let reclaimed = await ask(rig, ["reclaim", String(port)])
                #expect(reclaimed.exit == .exited(0) && reclaimed.output.contains("reclaimed port \(port)"), "\(reclaimed)")
                #expect(await RigSupport.eventually(timeout: .seconds(10)) { holderExited() }, "the holding ssh was disconnected")
            }
        }
    }

    private func wholePathUnprivileged(_ vps: VPS) async throws {
        let port = try LoopbackSSHServer.freePort()
        try await withUnprivilegedRig(vps, port: port) { rig in
            // The stale session: an earlier tunnel with reclaim_script = true, registered and still holding the port.
            try await withHolder(rig, port: port, registered: true) { holderExited in
                #expect(await RigSupport.eventually { await RigSupport.isListening(port) }, "the stale session holds the port")
                let config = try ConfigFixture(rig).with(defaults: ["reclaim_script": "true"])
                    .with(tunnel: "web", remote: "127.0.0.1:\(port)", local: "127.0.0.1:\(rig.port)").parsed()
                try await RigSupport.withManager(config) { manager in
                let up = await RigSupport.waitFor(.up, "web", in: manager, timeout: .seconds(40))
                #expect(up?.state == .up, "\(RigSupport.logText(up))")
                #expect(up?.recentLog.contains { $0.text.contains("server: reclaimed port \(port)") } == true, "\(RigSupport.logText(up))")
                #expect(await RigSupport.eventually(timeout: .seconds(10)) { holderExited() }, "the stale session was ended")
                // The new tunnel registered too: it can be reclaimed in its turn (it reconnects afterwards).
                let again = await ask(rig, ["reclaim", String(port)])
                #expect(again.exit == .exited(0) && again.output.contains("reclaimed port \(port)"), "\(again)")
                await manager.waitUntil("web", is: "back up after its own session was reclaimed", timeout: .seconds(40)) {
                    $0.state == .up && $0.restarts >= 2
                }
                }
            }
        }
    }

    @Test("as an unprivileged user on OpenSSH 9.2, tunnel-tui with reclaim_script = true reclaims a port held by a stale session and the tunnel comes up",
          .enabled(if: isRoot, "needs root to make the unprivileged rig user"))
    func wholePathOpenSSH9() async throws {
        try await wholePathUnprivileged(.openSSH9)
    }

    @Test("as an unprivileged user on OpenSSH 10 (sshd-session), tunnel-tui with reclaim_script = true reclaims a port held by a stale session and the tunnel comes up",
          .enabled(if: hasTrixie, "needs root and the trixie root (scripts/prepare-vps-root)"))
    func wholePathOpenSSH10() async throws {
        try await wholePathUnprivileged(.openSSH10)
    }

    @Test("with reclaim_script = true and no script on the server, the tunnel fails with a cause that says so")
    func scriptMissing() async throws {
        let port = try LoopbackSSHServer.freePort()
        try await RigSupport.withRigAndManager(config: { rig in
            try ConfigFixture(rig).with(defaults: ["reclaim_script": "true"])
                .with(tunnel: "web", remote: "127.0.0.1:\(port)", local: "127.0.0.1:\(rig.port)").parsed()
        }) { _, manager in
            let failed = await RigSupport.waitFor(.failed, "web", in: manager, timeout: .seconds(30))
            #expect(failed?.cause == FailureCause.reclaimScriptMissing.description, "\(RigSupport.logText(failed))")
            #expect(failed?.hint?.contains("reclaim_script = false") == true)
        }
    }
}
