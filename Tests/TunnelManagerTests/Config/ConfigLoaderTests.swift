import Foundation
import Testing
@testable import TunnelManager
import TunnelTestSupport

@Suite("config: loading and validation")
struct ConfigLoaderTests {
    private static let keyPath: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tunnel-tui-test-key-\(getpid())").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("key".utf8), attributes: [.posixPermissions: 0o600])
        return path
    }()

    private func problems(_ text: String) -> [ConfigProblem] { ConfigFixture.problems(text) }
    private let minimal = ConfigFixture.minimal

    @Test("metrics keys are top-level, validated, and loopback only")
    func metricsKeys() throws {
        let config = try ConfigLoader.parse(text: "metrics_textfile_dir = \"/var/lib/node_exporter\"\nmetrics_listen = \"127.0.0.1:9877\"\n" + minimal, path: "t.toml")
        #expect(config.metricsTextfileDir == "/var/lib/node_exporter")
        #expect(config.metricsListen == Endpoint(host: "127.0.0.1", port: 9877))
        #expect(problems("metrics_listen = \"0.0.0.0:9877\"\n" + minimal).first?.message.contains("loopback") == true)
        #expect(problems("metrics_textfile_dir = \"relative\"\n" + minimal).first?.key == "metrics_textfile_dir")
    }

    @Test("a minimal tunnel gets every documented default")
    func defaults() throws {
        let config = try ConfigLoader.parse(text: minimal, path: "t.toml")
        let tunnel = try #require(config.tunnels.first)
        #expect(tunnel.hostKeyPolicy == .strict)
        #expect(tunnel.keepaliveInterval == .seconds(15))
        #expect(tunnel.keepaliveCount == 3)
        #expect(tunnel.connectTimeout == .seconds(10))
        #expect(tunnel.tcpTimeout == .seconds(5))
        #expect(tunnel.probe == .tcp)
        #expect(tunnel.probeInterval == .seconds(5))
        #expect(tunnel.probeTimeout == .seconds(3))
        #expect(tunnel.probeFailures == 2)
        #expect(tunnel.backoffInitial == .seconds(1))
        #expect(tunnel.backoffMax == .seconds(60))
        #expect(tunnel.stableAfter == .seconds(30))
        #expect(tunnel.logLines == 500)
        #expect(tunnel.autostart)
        #expect(!tunnel.reclaimScript, "a server without the script must keep working")
        #expect(tunnel.publicEndpoint == Endpoint(host: "vps.example.com", port: 8080))
        #expect(tunnel.publicFollowsServer, "without `public`, the probe follows where ssh connects")
        #expect(tunnel.remote == RemoteBinding(bindAddress: nil, port: 8080))
        #expect(tunnel.sshProgram == "ssh")
        let explicit = try #require(try ConfigLoader.parse(text: minimal + "\npublic = \"203.0.113.7:8080\"\n", path: "t.toml").tunnels.first)
        #expect(!explicit.publicFollowsServer)
        #expect(ProbeRequest.publicEnd(of: explicit, serverHost: "elsewhere").endpoint == Endpoint(host: "203.0.113.7", port: 8080))
        #expect(ProbeRequest.publicEnd(of: tunnel, serverHost: "198.51.100.4").endpoint == Endpoint(host: "198.51.100.4", port: 8080))
    }

    @Test("a tunnel to local port 22 defaults to a banner probe expecting SSH-")
    func sshDefaultProbe() throws {
        let config = try ConfigLoader.parse(text: minimal.replacingOccurrences(of: "localhost:80", with: "localhost:22"), path: "t.toml")
        #expect(config.tunnels[0].probe == .banner)
        #expect(config.tunnels[0].expect == "SSH-")
    }

    @Test("[defaults] applies to every tunnel and a tunnel may override it")
    func defaultsOverride() throws {
        let config = try ConfigLoader.parse(text: """
            [defaults]
            server = "vps"
            probe_interval = "2s"
            backoff_max = "2m"

            [[tunnel]]
            name = "a"
            remote = "0.0.0.0:2222"
            local = "localhost:22"

            [[tunnel]]
            name = "b"
            remote = 8443
            local = "127.0.0.1:443"
            probe_interval = "500ms"
            server = "other@vps2"
            public = "vps2.example.com:8443"
            """, path: "t.toml")
        #expect(config.tunnels.map(\.probeInterval) == [.seconds(2), .milliseconds(500)])
        #expect(config.tunnels.map(\.backoffMax) == [.seconds(120), .seconds(120)])
        #expect(config.tunnels[0].remote == RemoteBinding(bindAddress: "0.0.0.0", port: 2222))
        #expect(config.tunnels[1].server == "other@vps2")
        #expect(config.tunnels[1].publicEndpoint == Endpoint(host: "vps2.example.com", port: 8443))
    }

    @Test("reclaim_script is set in [defaults], overridden per tunnel, and must be a boolean")
    func reclaimScriptKey() throws {
        let config = try ConfigLoader.parse(text: """
            [defaults]
            server = "vps"
            reclaim_script = true
            [[tunnel]]
            name = "a"
            remote = 2222
            local = "localhost:22"
            [[tunnel]]
            name = "b"
            remote = 8443
            local = "localhost:443"
            reclaim_script = false
            """, path: "t.toml")
        #expect(config.tunnels.map(\.reclaimScript) == [true, false])
        #expect(problems(minimal + "\nreclaim_script = \"yes\"\n").first?.message.contains("must be true or false") == true)
    }

    @Test("tcp_timeout is 0s (off) or at least 2s")
    func tcpTimeoutKey() throws {
        #expect(try ConfigLoader.parse(text: minimal + "\ntcp_timeout = \"0s\"\n", path: "t.toml").tunnels.first?.tcpTimeout == .zero)
        #expect(try ConfigLoader.parse(text: minimal + "\ntcp_timeout = \"10s\"\n", path: "t.toml").tunnels.first?.tcpTimeout == .seconds(10))
        let short = problems(minimal + "\ntcp_timeout = \"1s\"\n")
        #expect(short.count == 1 && short.first?.message.contains("0s (off) or at least 2s") == true, "\(short)")
        #expect(problems(minimal + "\ntcp_timeout = \"11m\"\n").first?.message.contains("the range is 0ms to 10m") == true)
    }

    @Test("a TOML syntax error names the file and the line")
    func syntaxError() {
        let found = problems("[[tunnel]]\nname = \"web\nremote = 1\n")
        #expect(found.count == 1)
        #expect(found.first?.line == 2)
        #expect(found.first?.message.contains("TOML syntax error") == true)
    }

    @Test("an unknown key is named with its line and a did-you-mean for a near miss")
    func unknownKey() {
        let found = problems(minimal + "\nprobe_intervall = \"5s\"\n")
        #expect(found.map(\.description) == ["line 6: tunnel \"web\": key \"probe_intervall\": unknown key; did you mean \"probe_interval\"?"])
    }

    @Test("unknown keys in [defaults] and at the top level are reported too")
    func unknownKeysElsewhere() {
        let found = problems("title = \"x\"\n[defaults]\nsrever = \"vps\"\n" + minimal)
        #expect(found.contains { $0.key == "title" && $0.line == 1 })
        #expect(found.contains { $0.key == "srever" && $0.line == 3 && $0.message.contains("did you mean \"server\"") })
    }

    @Test("a wrong type names the tunnel, the key and both types")
    func wrongType() {
        let found = problems(minimal + "\nprobe_failures = \"two\"\n")
        #expect(found.map(\.description) == ["line 6: tunnel \"web\": key \"probe_failures\": must be an integer, found string"])
    }

    @Test("a missing required key is reported for each one")
    func missingKeys() {
        let found = problems("[[tunnel]]\nname = \"web\"\n")
        #expect(Set(found.compactMap(\.key)) == ["server", "remote", "local"])
        #expect(found.allSatisfy { $0.tunnel == "web" })
    }

    @Test("ports outside 1-65535 are refused without crashing", arguments: ["remote = 70000", "remote = 0", "local = \"localhost:0\"", "server_port = 65536", "public = \"vps:-1\""])
    func portRange(line: String) {
        let key = String(line.prefix { $0 != " " })
        let text = minimal.split(separator: "\n").filter { !$0.hasPrefix(key + " ") }.joined(separator: "\n") + "\n" + line + "\n"
        let found = problems(text)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.key == key)
        #expect(found.first?.message.contains("1-65535") == true || found.first?.message.contains("out of range 1-65535") == true)
    }

    @Test("duplicate tunnel names are refused")
    func duplicateNames() {
        let found = problems(minimal + "\n" + minimal.replacingOccurrences(of: "8080", with: "8081"))
        #expect(found.map(\.message) == ["duplicate tunnel name (also tunnel #1); names must be unique"])
        #expect(found.first?.line == 7)
    }

    @Test("two tunnels binding the same remote port on the same server are refused; other servers are fine")
    func remoteCollision() {
        let second = minimal.replacingOccurrences(of: "\"web\"", with: "\"api\"").replacingOccurrences(of: "\"8080\"", with: "\"0.0.0.0:8080\"")
        let found = problems(minimal + "\n" + second)
        #expect(found.count == 1)
        #expect(found.first?.tunnel == "api")
        #expect(found.first?.message.contains("already bound by tunnel \"web\"") == true)
        let elsewhere = second.replacingOccurrences(of: "vps.example.com", with: "vps2.example.com")
        #expect(problems(minimal + "\n" + elsewhere).isEmpty)
    }

    @Test("values that ssh would read as options are refused", arguments: [
        ("server", "\"-oProxyCommand=touch /tmp/x\""), ("identity_file", "\"-F/tmp/evil\""), ("ssh_options", "[\"-oProxyCommand=x\"]"),
        ("local", "\"-L:1\""), ("ssh", "\"-x\""),
    ])
    func optionInjection(key: String, value: String) {
        let text = minimal.split(separator: "\n").filter { !$0.hasPrefix(key + " ") }.joined(separator: "\n") + "\n\(key) = \(value)\n"
        let found = problems(text)
        #expect(found.contains { $0.key == key && ($0.message.contains("would be read by ssh as an option") || $0.message.contains("must be host:port")) }, "\(found)")
    }

    @Test("an identity file that does not exist is an error; one readable by others is a warning")
    func identityFile() throws {
        let missing = problems(minimal + "\nidentity_file = \"/nonexistent/key\"\n")
        #expect(missing.first?.message.contains("/nonexistent/key does not exist") == true)
        chmod(Self.keyPath, 0o644)
        let config = try ConfigLoader.parse(text: minimal + "\nidentity_file = \"\(Self.keyPath)\"\n", path: "t.toml")
        #expect(config.warnings.count == 1)
        #expect(config.warnings.first?.contains("chmod 600") == true)
        chmod(Self.keyPath, 0o600)
        let quiet = try ConfigLoader.parse(text: minimal + "\nidentity_file = \"\(Self.keyPath)\"\n", path: "t.toml")
        #expect(quiet.warnings.isEmpty)
    }

    @Test("~ in identity_file is expanded")
    func tildeExpansion() {
        #expect(TunnelSectionReader.expandTilde("~/.ssh/id") == (ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + "/.ssh/id")
        #expect(TunnelSectionReader.expandTilde("/abs") == "/abs")
    }

    @Test("an empty tunnel list is an error that says what to add")
    func emptyList() {
        let found = problems("[defaults]\nserver = \"vps\"\n")
        #expect(found.map(\.message) == ["no tunnels configured; add at least one [[tunnel]] table (see config.example.toml)"])
    }

    @Test("bad names, durations and enum values are refused with the allowed forms")
    func badValues() {
        #expect(problems(minimal.replacingOccurrences(of: "\"web\"", with: "\"my web\"")).first?.message.contains("letters, digits") == true)
        #expect(problems(minimal + "\nprobe_timeout = \"soon\"\n").first?.message.contains("not a duration") == true)
        #expect(problems(minimal + "\nprobe_timeout = 3\n").first?.message.contains("duration string") == true)
        #expect(problems(minimal + "\nprobe = \"icmp\"\n").first?.message.contains("\"tcp\", \"banner\", \"http\", \"none\"") == true)
        #expect(problems(minimal + "\nhost_key_policy = \"no\"\n").first?.message.contains("\"strict\", \"accept-new\"") == true)
        #expect(problems(minimal + "\nbackoff_initial = \"10s\"\nbackoff_max = \"5s\"\n").first?.key == "backoff_max")
    }

    @Test("the config example shipped in the repository is valid")
    func exampleIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("config.example.toml"), encoding: .utf8)
            .replacingOccurrences(of: "identity_file = \"~/.ssh/id_ed25519_tunnel\"", with: "identity_file = \"\(Self.keyPath)\"")
        let config = try ConfigLoader.parse(text: text, path: "config.example.toml")
        #expect(config.tunnels.count >= 3)
        let documented = Set(text.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.drop { $0 == "#" || $0 == " " }
            guard let equals = trimmed.firstIndex(of: "=") else { return nil }
            return String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)
        })
        let topLevelKeys = ConfigKeys.topLevel.filter { $0 != "defaults" && $0 != "tunnel" }
        let missing = Set(ConfigKeys.overridable + ConfigKeys.tunnelOnly + topLevelKeys).subtracting(documented)
        #expect(missing.isEmpty, "keys not shown in config.example.toml: \(missing.sorted())")
    }

    @Test("the search order is --config, $TUNNEL_TUI_CONFIG, $XDG_CONFIG_HOME, ~/.config, /etc")
    func searchOrder() {
        #expect(ConfigLocator.candidates(explicit: "/x.toml", environment: ["TUNNEL_TUI_CONFIG": "/y.toml"]) == ["/x.toml"])
        #expect(ConfigLocator.candidates(explicit: nil, environment: ["TUNNEL_TUI_CONFIG": "/y.toml"]) == ["/y.toml"])
        #expect(ConfigLocator.candidates(explicit: nil, environment: ["XDG_CONFIG_HOME": "/xdg", "HOME": "/home/pi"])
                == ["/xdg/tunnel-tui/config.toml", "/etc/tunnel-tui/config.toml"])
        #expect(ConfigLocator.candidates(explicit: nil, environment: ["HOME": "/home/pi"])
                == ["/home/pi/.config/tunnel-tui/config.toml", "/etc/tunnel-tui/config.toml"])
    }

    @Test("durations parse in ms, s, m, h and combinations", arguments: [
        ("500ms", 500), ("10s", 10_000), ("2m", 120_000), ("1.5s", 1500), ("1m30s", 90_000), ("1h", 3_600_000),
    ])
    func durations(text: String, milliseconds: Int64) {
        #expect(DurationParser.parse(text)?.milliseconds == milliseconds)
    }

    @Test("non-durations are rejected", arguments: ["", "10", "s", "5 parsecs", "-1s", "1x"])
    func nonDurations(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }
}
