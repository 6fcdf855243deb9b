// Longer than 250 lines: the whole private sshd rig (keys, config, listener, sessions, an unprivileged or
// chrooted server side) that the demo and the real-sshd tests share; not part of the library product.
import FoundationEssentials
import Synchronization
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// A private OpenSSH `sshd` on a loopback address, with its own host key, client keys, authorized_keys and
/// known_hosts in a temporary directory: the server of the demo and of the real-sshd tests.
///
/// It runs the system's `/usr/sbin/sshd` (package `openssh-server`) with `-D -e`, as a child of this process
/// (so it dies with it), optionally inside a network namespace. Stopping it also ends every session it
/// forked, which `sshd` puts in sessions of their own.
///
/// With `loginUser` (root only) the server side is an unprivileged user, made if missing, as a real VPS
/// user would be; with `systemRoot` (root only) sshd runs chrooted into that Debian root (e.g. trixie's
/// OpenSSH 10, prepared by `scripts/prepare-vps-root`), in a mount namespace of its own where that root's
/// `/proc` is the host's, bind-mounted (gone with the namespace when sshd ends).
public actor LoopbackSSHServer {
    /// The directory holding keys, config and known_hosts (as this process sees it).
    public nonisolated let directory: String
    /// The same directory as sshd and its sessions see it (differs from ``directory`` under `systemRoot`).
    public nonisolated let serverDirectory: String
    /// The root sshd runs chrooted into, if any.
    public nonisolated let systemRoot: String?
    /// The address sshd listens on.
    public nonisolated let listenAddress: String
    /// The port sshd listens on.
    public nonisolated let port: Int
    /// The user to log in as (the current user, or `loginUser`).
    public nonisolated let user: String
    /// A private key the server accepts.
    public nonisolated let clientKey: String
    /// A private key the server refuses.
    public nonisolated let wrongKey: String
    /// A known_hosts file holding the server's host key.
    public nonisolated let knownHosts: String
    /// The network namespace sshd runs in, if any.
    public nonisolated let namespace: String?

    private let sshdPath: String
    private let configPath: String
    private let launcher = SpawnLauncher(terminationGrace: .seconds(1))
    private var listenerTask: Task<Void, Never>?
    private var listenerPid: Int32?
    private let output = SharedValue<[String]>([])

    /// The `sshd_config` lines added when the caller gives none: a dead client's session ends within 20 s.
    public static let defaultExtraConfig = ["ClientAliveInterval 5", "ClientAliveCountMax 3"]

    /// Why the rig could not start.
    public struct RigError: Error, CustomStringConvertible {
        /// What went wrong and what to do.
        public let description: String
    }

    /// Creates keys and config and starts sshd; throws when sshd is missing or does not come up.
    /// `authorizedKeyOptions` prefixes the client key's authorized_keys line (e.g. a forced `command=`);
    /// `$RIG` in it stands for ``serverDirectory``. `files` are copied into the directory (name: source
    /// path), executable and readable by everyone, e.g. a forced command's script. `loginUser` and
    /// `systemRoot` need root (see the type's comment).
    public init(
        listenAddress: String = "127.0.0.1", port: Int? = nil, namespace: String? = nil,
        extraConfig: [String] = LoopbackSSHServer.defaultExtraConfig,
        authorizedKeyOptions: String? = nil, files: [String: String] = [:],
        loginUser: String? = nil, systemRoot: String? = nil
    ) async throws {
        if (loginUser != nil || systemRoot != nil) && getuid() != 0 {
            throw RigError(description: "an unprivileged login user or a chrooted sshd needs root: run the tests as root")
        }
        let sshdCandidates = systemRoot == nil ? ["/usr/sbin/sshd", "/usr/local/sbin/sshd"] : ["/usr/sbin/sshd"]
        guard let sshd = sshdCandidates.first(where: { FileManager.default.isExecutableFile(atPath: (systemRoot ?? "") + $0) }) else {
            throw RigError(description: systemRoot.map { "no /usr/sbin/sshd in \($0): prepare it with scripts/prepare-vps-root" }
                ?? "sshd not found: install it with `apt-get install -y openssh-server`")
        }
        self.sshdPath = sshd
        self.systemRoot = systemRoot
        self.listenAddress = listenAddress
        self.namespace = namespace
        let base = systemRoot.map { URL(fileURLWithPath: $0).appendingPathComponent("tmp") } ?? FileManager.default.temporaryDirectory
        let template = base.appendingPathComponent("tunnel-tui-sshd-XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else { throw RigError(description: "cannot create a temporary directory") }
        directory = String(cString: made)
        if let systemRoot {
            serverDirectory = String(directory.dropFirst(URL(fileURLWithPath: systemRoot).path.count))
        } else {
            serverDirectory = directory
        }
        if let loginUser {
            try await Self.ensureUser(loginUser, systemRoot: systemRoot)
            user = loginUser
            // sshd reads authorized_keys as the user, and the user runs the forced command from here.
            chmod(directory, 0o755)
        } else {
            user = Self.currentUser()
        }
        clientKey = "\(directory)/client_key"
        wrongKey = "\(directory)/wrong_key"
        knownHosts = "\(directory)/known_hosts"
        configPath = "\(directory)/sshd_config"
        if let port {
            self.port = port
        } else if namespace == nil {
            self.port = try Self.freePort(on: listenAddress)
        } else {
            self.port = Int.random(in: 20000...60000)
        }

        for key in ["host_key", "client_key", "wrong_key"] {
            try await Self.runQuietly("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "tunnel-tui-\(key)", "-f", "\(directory)/\(key)"])
        }
        for (name, source) in files {
            let target = "\(directory)/\(name)"
            try FileManager.default.copyItem(atPath: source, toPath: target)
            chmod(target, 0o755)
        }
        let clientPublic = try String(contentsOfFile: "\(clientKey).pub", encoding: .utf8)
        let options = authorizedKeyOptions?.replacing("$RIG", with: serverDirectory)
        try ((options.map { $0 + " " } ?? "") + clientPublic)
            .write(toFile: "\(directory)/authorized_keys", atomically: true, encoding: .utf8)
        chmod("\(directory)/authorized_keys", 0o644)
        let hostPublic = try String(contentsOfFile: "\(directory)/host_key.pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        try "[\(listenAddress)]:\(self.port) \(hostPublic)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let lines = [
            "Port \(self.port)",
            "ListenAddress \(listenAddress)",
            "HostKey \(serverDirectory)/host_key",
            "PidFile \(serverDirectory)/sshd.pid",
            "AuthorizedKeysFile \(serverDirectory)/authorized_keys",
            "UsePAM no",
            "StrictModes no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "AllowTcpForwarding yes",
            "GatewayPorts clientspecified",
            "MaxStartups 200:30:400",
            "MaxSessions 50",
            "LogLevel VERBOSE",
        ] + extraConfig
        try (lines.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        if getuid() == 0 {
            try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o755])
        }
        try await start()
    }

    /// Options that make a client trust this server's host key and nothing else, for `ssh_options`.
    public nonisolated var clientOptions: [String] {
        ["UserKnownHostsFile=\(knownHosts)", "GlobalKnownHostsFile=/dev/null", "UpdateHostKeys=no"]
    }

    /// `user@address`, the ssh destination.
    public nonisolated var destination: String { "\(user)@\(listenAddress)" }

    /// The lines sshd printed so far (with `-e`, its log).
    public nonisolated var log: [String] { output.value }

    /// Starts the listener (again, after ``stopListener()``) and waits until it accepts connections.
    public func start() async throws {
        guard listenerTask == nil else { return }
        var program = sshdPath
        var arguments = ["-D", "-e", "-f", configPath]
        if let systemRoot {
            // A private mount namespace: the bind mount of /proc vanishes with sshd, whatever ends it. The
            // root and config travel as the shell's positional parameters, never as shell text.
            program = "/usr/bin/unshare"
            arguments = ["--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                         "mount --bind /proc \"$1/proc\" && exec /usr/sbin/chroot \"$1\" \"$2\" -D -e -f \"$3\"",
                         "sh", systemRoot, sshdPath, "\(serverDirectory)/sshd_config"]
        }
        if let namespace {
            arguments = ["netns", "exec", namespace, program] + arguments
            program = "/usr/sbin/ip"
        }
        let exited = SharedValue<ChildExit?>(nil)
        let pidBox = SharedValue<Int32?>(nil)
        listenerTask = Task { [launcher, output] in
            let exit = await launcher.run(program: program, arguments: arguments) { event in
                switch event {
                case .started(let pid): pidBox.update { $0 = pid }
                case .line(let line): output.update { $0.append(line) }
                }
            }
            exited.update { $0 = exit }
        }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let exit = exited.value {
                listenerTask = nil
                throw RigError(description: "sshd exited at start (\(exit)): " + log.suffix(5).joined(separator: " | "))
            }
            let banner = await SocketProber().probe(ProbeRequest(
                endpoint: Endpoint(host: listenAddress, port: port), kind: .banner, expect: "SSH-", timeout: .milliseconds(500)))
            if banner.passed {
                listenerPid = pidBox.value
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        await stopListener()
        throw RigError(description: "sshd did not answer on \(listenAddress):\(port) within 15 s: " + log.suffix(5).joined(separator: " | "))
    }

    /// The pids of the sessions sshd forked (its descendants).
    public func sessionPids() -> [Int32] {
        guard let listenerPid else { return [] }
        return ProcessTable.descendants(of: listenerPid)
    }

    /// Kills every session (SIGKILL): clients see "Connection closed by remote host" and ports are freed.
    public func killSessions() {
        for pid in sessionPids() { kill(pid, SIGKILL) }
    }

    /// Stops the listener and every session, as a server reboot would. The listener is stopped (SIGSTOP) before
    /// its sessions are killed, so a client that reconnects at once cannot get a new session in between.
    public func stopListener() async {
        if let listenerPid, kill(listenerPid, SIGSTOP) == 0 {
            let deadline = ContinuousClock.now + .seconds(2)
            while let state = ProcessTable.state(of: listenerPid), state != "T", ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
            killSessions()
            kill(listenerPid, SIGKILL)
        } else {
            killSessions()
        }
        listenerTask?.cancel()
        await listenerTask?.value
        listenerTask = nil
        listenerPid = nil
    }

    /// Stops everything and deletes the directory.
    public func stop() async {
        await stopListener()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Helpers

    /// Makes `name` (inside `systemRoot` when given) unless it exists: a home, /bin/sh, and a password field
    /// of `*`, since sshd refuses a locked account even for keys when PAM is off.
    private static func ensureUser(_ name: String, systemRoot: String?) async throws {
        let prefix = systemRoot.map { ["/usr/sbin/chroot", $0] } ?? []
        func run(_ command: [String]) async -> ChildExit {
            let full = prefix + command
            return await SpawnLauncher().run(program: full[0], arguments: Array(full.dropFirst())) { _ in }
        }
        if await run(["/usr/bin/id", "-u", name]) != .exited(0) {
            let made = await run(["/usr/sbin/useradd", "-m", "-s", "/bin/sh", name])
            // 9: made meanwhile by another test process.
            guard made == .exited(0) || made == .exited(9) else {
                throw RigError(description: "useradd \(name) failed (\(made))")
            }
        }
        let unlocked = await run(["/usr/sbin/usermod", "-p", "*", name])
        guard unlocked == .exited(0) else { throw RigError(description: "usermod -p '*' \(name) failed (\(unlocked))") }
    }

    private static func currentUser() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    /// A TCP port nothing listens on right now, below Linux's ephemeral range (32768 and up): a port the
    /// kernel hands out for outgoing connections could be taken by one between this check and its use.
    /// The process never gets the same port twice, so two ports asked for before either is bound differ.
    public static func freePort(on address: String = "127.0.0.1") throws -> Int {
        for _ in 0..<100 {
            let candidate = Int.random(in: 20000..<32768)
            guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
            if let listener = try? TCPListener(host: address, port: candidate) {
                listener.close()
                return listener.port
            }
        }
        let listener = try TCPListener(host: address, port: 0)
        listener.close()
        return listener.port
    }

    /// Every port `freePort` has returned or tried in this process.
    private static let handedOut = Mutex<Set<Int>>([])

    private static func runQuietly(_ program: String, _ arguments: [String]) async throws {
        let lines = SharedValue<[String]>([])
        let exit = await SpawnLauncher().run(program: program, arguments: arguments) { event in
            if case .line(let line) = event { lines.update { $0.append(line) } }
        }
        guard exit == .exited(0) else {
            throw RigError(description: "\(program) failed (\(exit)): \(lines.value.joined(separator: " "))")
        }
    }
}
