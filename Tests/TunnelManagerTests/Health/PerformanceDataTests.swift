import Foundation
import Testing
import TunnelManager

/// `status --perfdata`: monitoring-plugin performance data from the tunnels' statuses.
@Suite("health: plugin performance data")
struct PerformanceDataTests {
    private static func status(_ name: String, _ state: TunnelState, latency: Double? = nil, restarts: Int = 0) -> TunnelStatus {
        TunnelStatus(
            name: name, server: "tunnel@vps", remote: "vps:1", local: "localhost:1", publicEndpoint: "vps:1", state: state,
            cause: nil, hint: nil, causeNeedsUser: false, pid: nil, since: Date(), uptimeSeconds: nil, restarts: restarts,
            retryInSeconds: nil, latencyMilliseconds: latency, latencyHistory: [], latencyMinimum: nil, latencyAverage: nil,
            latencyMaximum: nil, command: [], recentLog: [], autostart: true)
    }

    @Test("up counts the tunnels up out of those meant to run; latency in ms or U; restarts as counters")
    func render() {
        let text = PerformanceData.render([
            Self.status("web", .up, latency: 12.34, restarts: 3),
            Self.status("api", .backoff, latency: 40, restarts: 7),
            Self.status("old", .stopped),
        ])
        #expect(text == "up=1;;;0;2 latency_web=12.3ms;;;0 latency_api=U latency_old=U restarts_web=3c restarts_api=7c restarts_old=0c")
        #expect(PerformanceData.render([Self.status("web", .up, latency: 8)]) == "up=1;;;0;1 latency_web=8ms;;;0 restarts_web=0c")
    }
}
