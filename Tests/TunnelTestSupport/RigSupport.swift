import Foundation
import Logging
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the real-sshd tests.
public enum RigSupport {
    /// A config parsed from TOML tunnel tables written against `rig`, with fast test timings in [defaults];
    /// `overrides` replaces or adds [defaults] keys (values are TOML literals).
    public static func config(_ rig: LoopbackSSHServer, defaults overrides: [String: String] = [:], tunnels: String) throws -> Config {
        var defaults: [(String, String)] = [
            ("server", "\"\(rig.destination)\""),
            ("server_port", "\(rig.port)"),
            ("identity_file", "\"\(rig.clientKey)\""),
            ("ssh_options", "[" + rig.clientOptions.map { "\"\($0)\"" }.joined(separator: ", ") + "]"),
            ("keepalive_interval", "\"5s\""),
            ("keepalive_count", "2"),
            ("connect_timeout", "\"5s\""),
            ("probe_interval", "\"500ms\""),
            ("probe_timeout", "\"1s\""),
            ("probe_failures", "2"),
            ("backoff_initial", "\"500ms\""),
            ("backoff_max", "\"5s\""),
            ("stable_after", "\"2s\""),
        ]
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
            if let index = defaults.firstIndex(where: { $0.0 == key }) {
                defaults[index].1 = value
            } else {
                defaults.append((key, value))
            }
        }
        let text = "[defaults]\n" + defaults.map { "\($0.0) = \($0.1)" }.joined(separator: "\n") + "\n\n" + tunnels
        return try ConfigLoader.parse(text: text, path: "test.toml")
    }

    /// Runs `body` with a fresh loopback sshd and stops the sshd afterwards, also when `body` throws.
    public static func withRig<Result>(_ body: (LoopbackSSHServer) async throws -> Result) async throws -> Result {
        let rig = try await LoopbackSSHServer()
        do {
            let result = try await body(rig)
            await rig.stop()
            return result
        } catch {
            await rig.stop()
            throw error
        }
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held.
    public static func eventually(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    /// Waits until the tunnel is in `state`; returns its status then (or the last one seen).
    @discardableResult
    public static func waitFor(_ state: TunnelState, _ name: String, in manager: TunnelManager, timeout: Duration = .seconds(30)) async -> TunnelStatus? {
        var last: TunnelStatus?
        _ = await eventually(timeout: timeout) {
            last = await manager.status(of: name, logLimit: 200)
            return last?.state == state
        }
        return last
    }

    /// A manager whose log goes nowhere (tests read the per-tunnel log instead).
    public static func manager(_ config: Config) -> TunnelManager {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return TunnelManager(config: config, logger: logger)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    public static func isListening(_ port: Int, host: String = "127.0.0.1") async -> Bool {
        await SocketProber().probe(ProbeRequest(endpoint: Endpoint(host: host, port: port), kind: .tcp, timeout: .seconds(1))).passed
    }

    /// Pids of live ssh processes whose command line mentions `marker` (e.g. a remote port).
    public static func sshProcesses(mentioning marker: String) -> [Int32] {
        ProcessTable.parents().keys.filter { pid in
            guard ProcessTable.isAlive(pid), let arguments = ProcessTable.arguments(of: pid) else { return false }
            let program = arguments.first.map { ($0 as NSString).lastPathComponent }
            return program == "ssh" && arguments.contains { $0.contains(marker) }
        }
    }

    /// The log of a status as text, for failure messages.
    public static func logText(_ status: TunnelStatus?) -> String {
        (status?.recentLog ?? []).map { "\($0.origin): \($0.text)" }.joined(separator: "\n")
    }

    /// The built `tunnel-tui` binary (next to the test bundle, or in .build/debug).
    public static var binary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("tunnel-tui").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tunnel-tui").path
    }

    /// A `[defaults]` table that reaches `rig`, with quick probes; `extra` lines are appended to it.
    ///
    /// One ssh per tunnel (`share_connection = false`): the daemon, dashboard and control tests find each
    /// tunnel's ssh by the `-R` in its command line. SharedConnectionTests covers shared connections, also
    /// through the daemon.
    public static func defaultsTable(_ rig: LoopbackSSHServer, extra: String = "", shareConnection: Bool = false) -> String {
        """
        [defaults]
        share_connection = \(shareConnection)
        server = "\(rig.destination)"
        server_port = \(rig.port)
        identity_file = "\(rig.clientKey)"
        ssh_options = [\(rig.clientOptions.map { "\"\($0)\"" }.joined(separator: ", "))]
        probe_interval = "500ms"
        \(extra)

        """
    }

    /// Writes a config file for `rig` with one banner-probed tunnel per port (names `prefix0`, `prefix1`, ...).
    public static func writeConfig(_ rig: LoopbackSSHServer, ports: [Int], prefix: String, file: String = "config.toml") throws -> String {
        let path = "\(rig.directory)/\(file)"
        var text = defaultsTable(rig)
        for (index, port) in ports.enumerated() {
            text += "\n[[tunnel]]\nname = \"\(prefix)\(index)\"\nremote = \"127.0.0.1:\(port)\"\nlocal = \"127.0.0.1:\(rig.port)\"\nprobe = \"banner\"\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
