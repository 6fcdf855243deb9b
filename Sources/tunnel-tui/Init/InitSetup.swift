import Foundation
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
    /// The service user that must own the key and known_hosts (root setting up the service), if any.
    let serviceUser: (uid: uid_t, gid: gid_t, home: String)?

    static func forCurrentUser(config: String?, identityFile: String?, knownHosts: String?) -> InitSetup {
        let environment = ProcessInfo.processInfo.environment
        var service: (uid: uid_t, gid: gid_t, home: String)?
        if getuid() == 0, let entry = getpwnam("tunnel") {
            service = (entry.pointee.pw_uid, entry.pointee.pw_gid, String(cString: entry.pointee.pw_dir))
        }
        let home = service?.home ?? environment["HOME"] ?? NSHomeDirectory()
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

    /// The config's folder, and the key's and known_hosts' folders (0700, owned by the service user).
    func prepareDirectories() throws(InitFailure) {
        try makeDirectory((configPath as NSString).deletingLastPathComponent, mode: 0o755, owned: false)
        for file in [identityFile, knownHostsPath] {
            try makeDirectory((file as NSString).deletingLastPathComponent, mode: 0o700, owned: true)
        }
    }

    private func makeDirectory(_ path: String, mode: mode_t, owned: Bool) throws(InitFailure) {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw InitFailure("cannot create \(path): \(error.localizedDescription)")
        }
        if owned, let user = serviceUser { chown(path, user.uid, user.gid) }
    }

    /// `ssh-keygen -t ed25519` with no passphrase (the service runs unattended).
    func createKey() throws(InitFailure) {
        let result = Self.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "tunnel-tui@\(ProcessInfo.processInfo.hostName)", "-f", identityFile])
        guard result.status == 0 else {
            throw InitFailure("ssh-keygen could not create \(identityFile): \(TerminalText.sanitize(result.error))")
        }
        if let user = serviceUser {
            chown(identityFile, user.uid, user.gid)
            chown(identityFile + ".pub", user.uid, user.gid)
        }
    }

    func appendKnownHosts(_ keys: [String]) throws(InitFailure) {
        let existing = (try? String(contentsOfFile: knownHostsPath, encoding: .utf8)) ?? ""
        let text = existing + (existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n") + keys.joined(separator: "\n") + "\n"
        do {
            try text.write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
        } catch {
            throw InitFailure("cannot write \(knownHostsPath): \(error.localizedDescription)")
        }
        chmod(knownHostsPath, 0o644)
        if let user = serviceUser { chown(knownHostsPath, user.uid, user.gid) }
    }

    /// The config, readable by the service user's group (root:tunnel 0640) or private to the caller (0600).
    func writeConfig(_ text: String) throws(InitFailure) {
        do {
            try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        } catch {
            throw InitFailure("cannot write \(configPath): \(error.localizedDescription)")
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

    /// `ssh-keygen -lf` of each key line, one fingerprint line each.
    static func fingerprints(of keys: [String]) -> [String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tunnel-tui-init-\(getpid()).keys").path
        defer { unlink(file) }
        guard (try? (keys.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)) != nil else { return keys }
        let result = run("ssh-keygen", ["-l", "-f", file])
        return result.output.split(separator: "\n").map(String.init)
    }

    /// Runs a program found on PATH (argv as an array, never a shell) and returns its status and output.
    static func run(_ program: String, _ arguments: [String]) -> (status: Int32, output: String, error: String) {
        guard let path = SpawnLauncher.resolve(program: program) else { return (127, "", "\(program) not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return (127, "", "\(program): \(error.localizedDescription)")
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}
