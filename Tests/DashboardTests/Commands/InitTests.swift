import Foundation
import Testing
import TunnelManager
import TunnelTestSupport
@testable import tunnel_tui

/// `tunnel-tui init`: its parts, and the command run as a user would against a real sshd.
@Suite("init", .serialized)
struct InitTests {
    @Test("a tunnel spec is NAME=REMOTE:LOCAL_HOST:LOCAL_PORT, with an optional bind address")
    func specs() throws {
        let plain = try InitTunnelSpec(parsing: "ssh=2222:localhost:22")
        #expect(plain.name == "ssh" && plain.remote == "2222" && plain.localHost == "localhost" && plain.localPort == 22)
        let bound = try InitTunnelSpec(parsing: "web=0.0.0.0:8080:127.0.0.1:80")
        #expect(bound.remote == "0.0.0.0:8080" && bound.localHost == "127.0.0.1" && bound.localPort == 80)
        for bad in ["ssh", "=1:a:2", "ssh=2222:22", "ssh=2222:localhost:99999", "ssh=2222:localhost:x"] {
            #expect(throws: InitFailure.self, "\(bad)") { try InitTunnelSpec(parsing: bad) }
        }
    }

    @Test("every answer is written as an escaped TOML string, so none can add a key or a table")
    func escaping() throws {
        let text = InitConfigText(
            server: "tunnel@vps\"#rest", serverPort: 2222, identityFile: nil,
            tunnels: [try InitTunnelSpec(parsing: "web=8080:local\\host:80")]).text
        let config = try ConfigLoader.parse(text: text, path: "t.toml")
        #expect(config.tunnels.first?.server == "tunnel@vps\"#rest")
        #expect(config.tunnels.first?.local.host == "local\\host")
        // A newline stays inside its string: the loader sees one name with a control character, not a table.
        let injected = InitConfigText(server: "s", serverPort: nil, identityFile: nil,
                                      tunnels: [try InitTunnelSpec(parsing: "x\n[[tunnel]]\nname = \"y=1:localhost:22")]).text
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text: injected, path: "t.toml") }
        #expect(!injected.contains("\n[[tunnel]]\nname = \"y\""), "\(injected)")
    }

    private func runInit(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await runTunnelTUI(["init"] + arguments)
    }

    @Test("init never overwrites an existing config without --force")
    func neverOverwrites() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.path + "/config.toml"
        try "# mine\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await runInit(["--config", config, "--server", "tunnel@127.0.0.1", "--tunnel", "ssh=2222:localhost:22",
                                  "--identity-file", directory.path + "/key", "--known-hosts", directory.path + "/known_hosts"])
        #expect(result.status == 1)
        #expect(result.error.contains("exists already; pass --force"), "\(result.error)")
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "# mine\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/key"), "no key made for a refused init")
    }

    @Test("init refuses a value ssh would read as an option, and writes nothing")
    func refusesOptions() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.path + "/config.toml"
        let result = try await runInit(["--config", config, "--server=-oProxyCommand=touch /tmp/pwned", "--tunnel", "ssh=2222:localhost:22",
                                  "--identity-file", directory.path + "/key", "--known-hosts", directory.path + "/known_hosts"])
        #expect(result.status == 1)
        #expect(result.error.contains("would be read by ssh as an option"), "\(result.error)")
        #expect(!FileManager.default.fileExists(atPath: config))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/key"))
    }

    @Test("init creates the key, shows the host key and records it only with --accept-new; the config then checks clean")
    func hostKeyOnlyWhenTold() async throws {
        try await RigSupport.withRig { rig in
            let directory = try TemporaryDirectory()
            let config = directory.path + "/config.toml", key = directory.path + "/ssh/id_ed25519"
            let knownHosts = directory.path + "/ssh/known_hosts"
            let common = ["--config", config, "--server", rig.destination, "--server-port", String(rig.port),
                          "--tunnel", "ssh=2222:localhost:22", "--identity-file", key, "--known-hosts", knownHosts]
            let first = try await runInit(common)
            #expect(first.status == 0, "\(first.error)")
            #expect(first.output.contains("created key \(key)"))
            #expect(first.output.contains("SHA256:"), "the fingerprint is shown: \(first.output)")
            #expect(first.output.contains("not recorded"))
            #expect(!FileManager.default.fileExists(atPath: knownHosts), "nothing recorded without --accept-new")
            #expect(first.output.contains("authorized_keys"), "the server setup follows: \(first.output)")
            let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let second = try await runInit(common + ["--force", "--accept-new"])
            #expect(second.status == 0, "\(second.error)")
            let recorded = (try? String(contentsOfFile: knownHosts, encoding: .utf8)) ?? ""
            #expect(recorded.contains("[127.0.0.1]:\(rig.port) ssh-ed25519 "), "\(recorded)")
            #expect(!second.output.contains("created key"), "an existing key is kept")
            let check = try await runTunnelTUI(["config", "check", "--config", config])
            #expect(check.status == 0, "\(check.output)\(check.error)")
            #expect(check.output.contains("-i \(key)"))
        }
    }
}
