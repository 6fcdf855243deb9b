import Foundation
import TunnelManager
@testable import tunnel_tui

/// Fixed view states for snapshot and key tests.
enum SampleState {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)  // 16:00:00 UTC

    static func status(_ name: String, _ state: TunnelState, remotePort: Int, local: String, cause: FailureCause? = nil,
                       latency: [Double?] = [], uptime: Double? = nil, restarts: Int = 0, retryIn: Double? = nil,
                       pid: Int32? = nil, lastLog: String = "") -> TunnelStatus {
        let passed = latency.compactMap { $0 }
        return TunnelStatus(
            name: name, server: "tunnel@vps.example.com", remote: "vps.example.com:\(remotePort)", local: local,
            publicEndpoint: "vps.example.com:\(remotePort)", state: state, cause: cause?.description, hint: cause?.hint,
            causeNeedsUser: cause?.needsUser ?? false, pid: pid, since: now.addingTimeInterval(-(uptime ?? 75)),
            uptimeSeconds: uptime, restarts: restarts, retryInSeconds: retryIn, latencyMilliseconds: latency.last ?? nil,
            latencyHistory: latency, latencyMinimum: passed.min(), latencyAverage: passed.isEmpty ? nil : passed.reduce(0, +) / Double(passed.count),
            latencyMaximum: passed.max(),
            command: ["ssh", "-v", "-N", "-T", "-o", "BatchMode=yes", "-R", "0.0.0.0:\(remotePort):\(local)", "--", "tunnel@vps.example.com"],
            recentLog: lastLog.isEmpty ? [] : [LogEntry(time: now, origin: .supervisor, text: lastLog)], autostart: true)
    }

    static let tunnels: [TunnelStatus] = [
        status("pi-ssh", .up, remotePort: 2222, local: "localhost:22", latency: [21, 23.5, 22, 30, 25, 22.1, 23.4],
               uptime: 11_520, restarts: 1, pid: 4242, lastLog: "up (probe passed in 23.4 ms)"),
        status("home-assistant", .up, remotePort: 8123, local: "192.168.1.20:8123", latency: [40, 42, 38, nil, 41, 44],
               uptime: 3_600, pid: 4243, lastLog: "up (probe passed in 44.0 ms)"),
        status("grafana", .unreachable, remotePort: 3000, local: "localhost:3000",
               cause: .localServiceDown("localhost:3000: connection refused"), latency: [12, nil, nil], pid: 4244),
        status("nas", .failed, remotePort: 8443, local: "192.168.1.30:443", cause: .authenticationRefused, retryIn: 42),
        status("backup", .backoff, remotePort: 2049, local: "localhost:2049", cause: .connectionRefused, restarts: 3, retryIn: 3.2),
        status("media", .stopped, remotePort: 8096, local: "localhost:8096", lastLog: "stopped by user"),
    ]

    static let log: [LogEntry] = [
        LogEntry(time: now.addingTimeInterval(-40), origin: .supervisor, text: "started"),
        LogEntry(time: now.addingTimeInterval(-40), origin: .supervisor, text: "spawned ssh (pid 4242)"),
        LogEntry(time: now.addingTimeInterval(-39), origin: .ssh, text: "Authenticated to vps.example.com ([203.0.113.7]:22) using \"publickey\"."),
        LogEntry(time: now.addingTimeInterval(-39), origin: .ssh, text: "debug1: remote forward success for: listen 0.0.0.0:2222, connect localhost:22"),
        LogEntry(time: now.addingTimeInterval(-39), origin: .supervisor, text: "forward established: 0.0.0.0:2222 on vps.example.com -> localhost:22"),
        LogEntry(time: now.addingTimeInterval(-38), origin: .supervisor, text: "up (probe passed in 23.4 ms)"),
    ]

    static func state(width: Int, height: Int, colors: Bool = true, unicode: Bool = true) -> ViewState {
        var state = ViewState(configPath: "/home/pi/.config/tunnel-tui/config.toml", now: now, width: width, height: height,
                              colors: colors, unicode: unicode)
        state.timeZone = TimeZone(identifier: "UTC") ?? .current
        _ = DashboardUpdate.update(&state, .tunnels(tunnels, selectedLog: log))
        return state
    }
}
