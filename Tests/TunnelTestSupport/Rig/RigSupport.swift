import Foundation
import Logging
import Testing
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the real-sshd tests: scoped rigs and managers, checked waits, process lookups.
public enum RigSupport {
    /// Runs `body` with a fresh loopback sshd and stops the sshd afterwards, also when `body` throws (a failed
    /// `#require`). The parameters are those of ``LoopbackSSHServer/init(listenAddress:port:namespace:extraConfig:authorizedKeyOptions:files:loginUser:systemRoot:)``.
    public static func withRig<Result>(
        listenAddress: String = "127.0.0.1", namespace: String? = nil,
        extraConfig: [String] = LoopbackSSHServer.defaultExtraConfig,
        authorizedKeyOptions: String? = nil, files: [String: String] = [:],
        loginUser: String? = nil, systemRoot: String? = nil,
        _ body: (LoopbackSSHServer) async throws -> Result
    ) async throws -> Result {
        let rig = try await LoopbackSSHServer(
            listenAddress: listenAddress, namespace: namespace, extraConfig: extraConfig,
            authorizedKeyOptions: authorizedKeyOptions, files: files, loginUser: loginUser, systemRoot: systemRoot)
        do {
            let result = try await body(rig)
            await rig.stop()
            return result
        } catch {
            await rig.stop()
            throw error
        }
    }

    /// Runs `body` with a manager of `config` whose tunnels were started (autostart), and shuts the manager
    /// down afterwards (every child reaped), also when `body` throws.
    public static func withManager<Result>(
        _ config: Config, clock: any SupervisorClock = SystemSupervisorClock(), startAutostart: Bool = true,
        _ body: (TunnelManager) async throws -> Result
    ) async throws -> Result {
        let manager = manager(config, clock: clock)
        if startAutostart { await manager.startAutostartTunnels() }
        do {
            let result = try await body(manager)
            await manager.shutdown()
            return result
        } catch {
            await manager.shutdown()
            throw error
        }
    }

    /// Runs `body` with a fresh loopback sshd and a started manager of the config `makeConfig` writes for it;
    /// stops both afterwards (manager first), also when `body` throws.
    public static func withRigAndManager<Result>(
        clock: any SupervisorClock = SystemSupervisorClock(),
        config makeConfig: (LoopbackSSHServer) throws -> Config,
        _ body: (LoopbackSSHServer, TunnelManager) async throws -> Result
    ) async throws -> Result {
        try await withRig { rig in
            try await withManager(try makeConfig(rig), clock: clock) { manager in try await body(rig, manager) }
        }
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held. For
    /// conditions on processes and sockets outside the manager; a timeout here is not an issue by itself, so
    /// check the result (`#expect(await eventually { ... })`) or use ``expectEventually(_:timeout:sourceLocation:_:)``.
    public static func eventually(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    /// As ``eventually(timeout:_:)``, and records a test issue naming `what` when `condition` never held.
    @discardableResult
    public static func expectEventually(
        _ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async -> Bool
    ) async -> Bool {
        let held = await eventually(timeout: timeout, condition)
        if !held { Issue.record("timed out after \(timeout) waiting for \(what)", sourceLocation: sourceLocation) }
        return held
    }

    /// Waits (on the manager's change notes) until the tunnel is in `state`; returns its status then, or
    /// records a test issue with its log and returns its last status.
    @discardableResult
    public static func waitFor(
        _ state: TunnelState, _ name: String, in manager: TunnelManager, timeout: Duration = .seconds(30),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> TunnelStatus? {
        await manager.waitUntil(name, isIn: state, timeout: timeout, sourceLocation: sourceLocation)
    }

    /// A manager whose log goes nowhere (tests read the per-tunnel log instead).
    static func manager(_ config: Config, clock: any SupervisorClock = SystemSupervisorClock()) -> TunnelManager {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return TunnelManager(config: config, clock: clock, logger: logger)
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
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tunnel-tui").path
    }

    /// A `[defaults]` table that reaches `rig`, with quick probes; `extra` lines are appended to it.
    public static func defaultsTable(_ rig: LoopbackSSHServer, extra: String = "") -> String {
        ConfigFixture(rig, timings: .probesOnly).defaultsTable(extra: extra)
    }

    /// Writes a config file for `rig` with one banner-probed tunnel per port (names `prefix0`, `prefix1`, ...).
    public static func writeConfig(_ rig: LoopbackSSHServer, ports: [Int], prefix: String, file: String = "config.toml") throws -> String {
        var fixture = ConfigFixture(rig, timings: .probesOnly)
        for (index, port) in ports.enumerated() {
            fixture = fixture.with(tunnels: ConfigFixture.bannerTunnel("\(prefix)\(index)", remotePort: port, rig: rig))
        }
        return try fixture.write(to: "\(rig.directory)/\(file)")
    }
}
