import FoundationEssentials
import TunnelManager

/// The tests' one config builder: a `[defaults]` table and `[[tunnel]]` tables, as text, parsed, or written.
///
/// ``init(_:timings:)`` starts from a table that reaches a loopback sshd; ``init(defaults:)`` from any keys
/// (unit tests with fakes). Values are TOML literals (`"\"5s\""`, `"2"`).
public struct ConfigFixture: Sendable {
    /// Test timings for the `[defaults]` of a rig config.
    public enum Timings: Sendable {
        /// Quick probes, keepalives, backoff and stability (for a manager in the test process).
        case fast
        /// Only quick probes; everything else as a user's config would have it (for the daemon binary), except
        /// one ssh per tunnel (`share_connection = false`): the daemon, dashboard and control tests find each
        /// tunnel's ssh by the `-R` in its command line. SharedConnectionTests covers shared connections, also
        /// through the daemon (`.with(defaults: ["share_connection": "true"])`).
        case probesOnly
    }

    /// The `[defaults]` keys in order, with their TOML values.
    public private(set) var defaults: [(key: String, value: String)]
    /// The `[[tunnel]]` tables, as text.
    public private(set) var tunnels: [String] = []

    /// A config of `defaults` (keys in sorted order) and no tunnel yet.
    public init(defaults: [String: String] = [:]) {
        self.defaults = defaults.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A config whose `[defaults]` reach `rig` with its client key and known_hosts, with `timings`.
    public init(_ rig: LoopbackSSHServer, timings: Timings = .fast) {
        defaults = [
            ("server", "\"\(rig.destination)\""),
            ("server_port", "\(rig.port)"),
            ("identity_file", "\"\(rig.clientKey)\""),
            ("ssh_options", "[" + rig.clientOptions.map { "\"\($0)\"" }.joined(separator: ", ") + "]"),
        ]
        switch timings {
        case .probesOnly:
            defaults.append(("probe_interval", "\"500ms\""))
            defaults.append(("share_connection", "false"))
        case .fast:
            defaults += [
                ("keepalive_interval", "\"5s\""), ("keepalive_count", "2"), ("connect_timeout", "\"5s\""),
                ("probe_interval", "\"500ms\""), ("probe_timeout", "\"1s\""), ("probe_failures", "2"),
                ("backoff_initial", "\"500ms\""), ("backoff_max", "\"5s\""), ("stable_after", "\"2s\""),
            ]
        }
    }

    /// Sets (replaces or appends) `[defaults]` keys; `values` are TOML literals.
    public func with(defaults values: [String: String]) -> ConfigFixture {
        var copy = self
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            if let index = copy.defaults.firstIndex(where: { $0.key == key }) {
                copy.defaults[index].value = value
            } else {
                copy.defaults.append((key, value))
            }
        }
        return copy
    }

    /// Adds `[[tunnel]]` tables written as text.
    public func with(tunnels text: String) -> ConfigFixture {
        var copy = self
        copy.tunnels.append(text)
        return copy
    }

    /// Adds a tunnel forwarding the server's `remote` to `local`, probed with `probe`; `extra` lines go in
    /// its table (e.g. `identity_file = "..."`).
    public func with(tunnel name: String, remote: String, local: String, probe: String? = "banner", extra: String = "") -> ConfigFixture {
        with(tunnels: Self.tunnel(name, remote: remote, local: local, probe: probe, extra: extra))
    }

    /// A tunnel `web` to a server no test reaches (`tunnel@vps`), for tests whose launcher and prober are
    /// fakes; more keys of the tunnel may follow on a line of their own.
    public static let offlineTunnel = """
        [[tunnel]]
        name = "web"
        server = "tunnel@vps"
        remote = 2222
        local = "localhost:22"
        """

    /// One `[[tunnel]]` table as text.
    public static func tunnel(_ name: String, remote: String, local: String, probe: String? = "banner", extra: String = "") -> String {
        var lines = ["[[tunnel]]", "name = \"\(name)\"", "remote = \"\(remote)\"", "local = \"\(local)\""]
        if let probe { lines.append("probe = \"\(probe)\"") }
        if !extra.isEmpty { lines.append(extra) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A banner-probed tunnel from 127.0.0.1:`remotePort` on the server back to `rig`'s own sshd.
    public static func bannerTunnel(_ name: String, remotePort: Int, rig: LoopbackSSHServer, extra: String = "") -> String {
        tunnel(name, remote: "127.0.0.1:\(remotePort)", local: "127.0.0.1:\(rig.port)", extra: extra)
    }

    /// The `[defaults]` table alone, with `extra` lines appended to it.
    public func defaultsTable(extra: String = "") -> String {
        "[defaults]\n" + defaults.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n" + (extra.isEmpty ? "" : extra + "\n") + "\n"
    }

    /// The whole file.
    public var text: String {
        (defaults.isEmpty ? "" : defaultsTable()) + tunnels.joined(separator: "\n")
    }

    /// The file parsed and validated, as if read from `path`.
    public func parsed(path: String = "test.toml") throws -> Config {
        try ConfigLoader.parse(text: text, path: path)
    }

    /// Writes the file to `path` and returns the path.
    @discardableResult
    public func write(to path: String) throws -> String {
        try Data(text.utf8).write(to: URL(filePath: path))
        return path
    }
}
