import FoundationEssentials
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// Where `tunnel-tui init` writes, and for whom: as root with the package's `tunnel` user present, the
/// system config and that user's key and known_hosts (owned by it); otherwise the caller's own files.
struct InitSetup {
    let configPath: String
    let identityFile: String
    let knownHostsPath: String
    /// The service user that must own the key and known_hosts (root setting up the service), if any. Every
    /// file in its home is made by a child running as that user, never by root: a link the user planted
    /// there cannot turn a root write into someone else's file.
    let serviceUser: (uid: uid_t, gid: gid_t, home: String)?

    static func forCurrentUser(config: String?, identityFile: String?, knownHosts: String?) -> InitSetup {
        let environment = ProcessInfo.processInfo.environment
        var service: (uid: uid_t, gid: gid_t, home: String)?
        if getuid() == 0, let entry = getpwnam("tunnel") {
            service = (entry.pointee.pw_uid, entry.pointee.pw_gid, String(cString: entry.pointee.pw_dir))
        }
        let home = service?.home ?? environment["HOME"] ?? URL.homeDirectory.path
        let defaultConfig = service != nil
            ? "/etc/tunnel-tui/config.toml"
            : ConfigLocator.candidates(explicit: nil, environment: environment.filter { $0.key != "TUNNEL_TUI_CONFIG" }).first
                ?? "\(home)/.config/tunnel-tui/config.toml"
        return InitSetup(
            configPath: config ?? defaultConfig,
            identityFile: identityFile ?? "\(home)/.ssh/id_ed25519",
            knownHostsPath: knownHosts ?? "\(home)/.ssh/known_hosts",
            serviceUser: service)
    }

    /// The config's folder (root's), and the key's and known_hosts' folders (0700, made as the key's owner).
    func prepareDirectories() throws(InitFailure) {
        let configDirectory = PathComponents.parent(of: configPath)
        if !FileManager.default.fileExists(atPath: configDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw InitFailure("cannot create \(configDirectory): \(error)")
            }
        }
        for directory in Set([identityFile, knownHostsPath].map { PathComponents.parent(of: $0) }) {
            let result = runAsOwner("mkdir", ["-p", "-m", "0700", "--", directory])
            guard result.status == 0 else {
                throw InitFailure("cannot create \(directory): \(TerminalText.sanitize(result.error))")
            }
        }
    }

    /// `ssh-keygen -t ed25519` with no passphrase (the service runs unattended), as the key's owner.
    func createKey() throws(InitFailure) {
        let result = runAsOwner("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "tunnel-tui@\(ProcessInfo.processInfo.hostName)", "-f", identityFile])
        guard result.status == 0 else {
            throw InitFailure("ssh-keygen could not create \(identityFile): \(TerminalText.sanitize(result.error))")
        }
    }

    /// Appends the host keys to known_hosts, as its owner.
    func appendKnownHosts(_ keys: [String]) throws(InitFailure) {
        let existing = (try? String(contentsOfFile: knownHostsPath, encoding: .utf8)) ?? ""
        let text = (existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n") + keys.joined(separator: "\n") + "\n"
        let result = runAsOwner("tee", ["-a", "--", knownHostsPath], input: text)
        guard result.status == 0 else {
            throw InitFailure("cannot write \(knownHostsPath): \(TerminalText.sanitize(result.error))")
        }
    }

    /// Runs `program` as the service user when there is one (setpriv, from util-linux), else as the caller.
    private func runAsOwner(_ program: String, _ arguments: [String], input: String? = nil) -> (status: Int32, output: String, error: String) {
        guard let user = serviceUser else { return Self.run(program, arguments, input: input) }
        guard let path = SpawnLauncher.resolve(program: program) else { return (127, "", "\(program) not found") }
        return Self.run("setpriv", ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", "--", path] + arguments, input: input)
    }

    /// The config, readable by the service user's group (root:tunnel 0640) or private to the caller (0600).
    func writeConfig(_ text: String) throws(InitFailure) {
        do {
            try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        } catch {
            throw InitFailure("cannot write \(configPath): \(error)")
        }
        if let user = serviceUser {
            chown(configPath, 0, user.gid)
            chmod(configPath, 0o640)
        } else {
            chmod(configPath, 0o600)
        }
    }

    static func isRecorded(_ keys: [String], in knownHosts: String) -> Bool {
        let recorded = Set(((try? String(contentsOfFile: knownHosts, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        return keys.allSatisfy(recorded.contains)
    }

    /// `ssh-keygen -lf -` of each key line (read from its standard input), one fingerprint line each.
    static func fingerprints(of keys: [String]) -> [String] {
        let result = run("ssh-keygen", ["-l", "-f", "-"], input: keys.joined(separator: "\n") + "\n")
        return result.status == 0 ? result.output.split(separator: "\n").map(String.init) : keys
    }

    /// Runs a program found on PATH (argv as an array, never a shell) and returns its status and output.
    static func run(_ program: String, _ arguments: [String], input: String? = nil) -> (status: Int32, output: String, error: String) {
        guard let path = SpawnLauncher.resolve(program: program) else { return (127, "", "\(program) not found") }
        let result = ProgramRun.run(path, arguments, input: input)
        return (result.status, result.output, result.error)
    }
}
