import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// `tunnel-tui init`: writes a first config from flags (or answers), creates the key if missing, shows the
/// server's host key and records it only when confirmed, and prints what to set up on the server.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a first config: server, tunnels, key and host key; then print the server setup.",
        discussion: """
            Run as root on a machine with the tunnel-tui package, it writes /etc/tunnel-tui/config.toml for the \
            service and puts the key and known_hosts in the tunnel user's home; otherwise it writes your own \
            config (~/.config/tunnel-tui/config.toml) and uses ~/.ssh. It never overwrites a config without --force.
            Example: tunnel-tui init --server tunnel@vps.example.com --tunnel ssh=2222:localhost:22 --tunnel web=8080:localhost:80
            """)

    @Option(help: ArgumentHelp("ssh destination of the VPS: [user@]host.", valueName: "user@host"))
    var server: String?
    @Option(help: ArgumentHelp("ssh port of the VPS (default: ssh's).", valueName: "port"))
    var serverPort: Int?
    @Option(name: .customLong("tunnel"), help: ArgumentHelp(
        "A tunnel: NAME=REMOTE_PORT:LOCAL_HOST:LOCAL_PORT (REMOTE may be BIND:PORT). Repeat for more.", valueName: "spec"))
    var tunnels: [String] = []
    @Option(help: ArgumentHelp("Where to write the config.", valueName: "path"))
    var config: String?
    @Option(help: ArgumentHelp("Private key to use; created (ed25519) if missing.", valueName: "path"))
    var identityFile: String?
    @Option(help: ArgumentHelp("known_hosts file that records the server's key.", valueName: "path"))
    var knownHosts: String?
    @Flag(help: "Record the server's host key without asking (check the fingerprint printed!).")
    var acceptNew = false
    @Flag(help: "Overwrite an existing config.")
    var force = false

    func run() throws {
        let setup = InitSetup.forCurrentUser(config: config, identityFile: identityFile, knownHosts: knownHosts)
        if FileManager.default.fileExists(atPath: setup.configPath) && !force {
            throw InitFailure("\(setup.configPath) exists already; pass --force to overwrite it, or edit it and run tunnel-tui config check")
        }
        let interactive = isatty(0) == 1
        guard let server = server ?? (interactive ? Self.ask("ssh destination of the VPS ([user@]host)") : nil), !server.isEmpty else {
            throw InitFailure("name the VPS: --server tunnel@vps.example.com")
        }
        var specs = tunnels
        if specs.isEmpty, interactive, let answer = Self.ask("tunnels, NAME=REMOTE_PORT:LOCAL_HOST:LOCAL_PORT separated by spaces") {
            specs = answer.split(separator: " ").map(String.init)
        }
        guard !specs.isEmpty else { throw InitFailure("name at least one tunnel: --tunnel ssh=2222:localhost:22") }
        let parsed = try specs.map(InitTunnelSpec.init(parsing:))

        // Validate everything but the key first: a value ssh would read as an option never reaches a file.
        let draft = InitConfigText(server: server, serverPort: serverPort, identityFile: nil, tunnels: parsed)
        do {
            _ = try ConfigLoader.parse(text: draft.text, path: setup.configPath)
        } catch {
            throw InitFailure("not written: \(error)")
        }
        try setup.prepareDirectories()
        if !FileManager.default.fileExists(atPath: setup.identityFile) {
            try setup.createKey()
            print("created key \(setup.identityFile) (ed25519)")
        }
        try recordHostKey(server: server, setup: setup, interactive: interactive)
        let text = InitConfigText(server: server, serverPort: serverPort, identityFile: setup.identityFile, tunnels: parsed).text
        let config: Config
        do {
            config = try ConfigLoader.parse(text: text, path: setup.configPath)
        } catch {
            throw InitFailure("not written: \(error)")
        }
        try setup.writeConfig(text)
        print("wrote \(setup.configPath) (\(parsed.count) tunnel\(parsed.count == 1 ? "" : "s")); check it any time with: tunnel-tui config check --config \(setup.configPath)")
        print("\nOn the server:\n")
        print(ServerSetupGuide.text(for: config))
        if setup.serviceUser != nil {
            print("\nThen: sudo systemctl enable --now tunnel-tui   (and: sudo usermod -aG tunnel $USER, log in again, tunnel-tui status)")
        }
    }

    /// Shows the server's host key fingerprints and records the keys when told to (or confirmed).
    private func recordHostKey(server: String, setup: InitSetup, interactive: Bool) throws {
        let host = server.split(separator: "@").last.map(String.init) ?? server
        let scan = InitSetup.run("ssh-keyscan", ["-T", "10"] + (serverPort.map { ["-p", String($0)] } ?? []) + ["--", host])
        let keys = scan.output.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init)
        guard scan.status == 0, !keys.isEmpty else {
            print("could not fetch the host key of \(host): \(TerminalText.sanitize(scan.error.isEmpty ? "no answer" : scan.error)); record it later with: ssh \(server) true")
            return
        }
        let fingerprints = InitSetup.fingerprints(of: keys)
        print("host key of \(host):\n" + fingerprints.map { "  " + TerminalText.sanitize($0) }.joined(separator: "\n"))
        if InitSetup.isRecorded(keys, in: setup.knownHostsPath) {
            print("already in \(setup.knownHostsPath)")
            return
        }
        var accept = acceptNew
        if !accept, interactive, let answer = Self.ask("is this the server's key (compare it on the server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)? [y/N]") {
            accept = answer.lowercased().hasPrefix("y")
        }
        guard accept else {
            print("not recorded: the tunnels will refuse the server until its key is in \(setup.knownHostsPath) (run init again with --accept-new)")
            return
        }
        try setup.appendKnownHosts(keys)
        print("recorded in \(setup.knownHostsPath)")
    }

    private static func ask(_ question: String) -> String? {
        print("\(question): ", terminator: "")
        return readLine()?.trimmingWhitespace()
    }
}

/// Why `init` stopped, in words that say what to do.
struct InitFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
