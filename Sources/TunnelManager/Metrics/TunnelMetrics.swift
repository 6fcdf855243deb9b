import Prometheus

/// The tunnels' Prometheus metrics (via swift-prometheus): counters and the latency histogram are fed as
/// events happen; gauges are set from a snapshot when the exposition is rendered.
public final class TunnelMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let knownNames = SharedValue<Set<String>>([])
    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    /// Creates a registry holding `tunnel_build_info{version}` = 1.
    public init() {
        registry.makeGauge(descriptor: Self.descriptor("build_info", "the running tunnel-tui's version"), labels: [("version", BuildInfo.version)])
            .set(to: 1.0)
    }

    private static func descriptor(_ name: String, _ help: String, unit: String = "") -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tunnel", metricName: name, unitName: unit, helpText: help)
    }

    private func restarts(_ tunnel: String) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor("restarts", "ssh restarts of the tunnel, automatic and manual", unit: "total"), labels: [("tunnel", tunnel)])
    }

    private func probeFailures(_ tunnel: String) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor("probe_failures", "failed end-to-end probes", unit: "total"), labels: [("tunnel", tunnel)])
    }

    private func latency(_ tunnel: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Self.descriptor("probe_latency", "latency of passed end-to-end probes", unit: "seconds"),
                                       labels: [("tunnel", tunnel)], buckets: Self.latencyBuckets)
    }

    /// Makes the tunnel's series exist (at zero) before anything happens to it.
    func register(_ tunnel: String) {
        _ = restarts(tunnel)
        _ = probeFailures(tunnel)
        _ = latency(tunnel)
    }

    /// Records a public-end probe result.
    func recordProbe(_ tunnel: String, _ result: ProbeResult) {
        if result.passed {
            latency(tunnel).record(result.latency)
        } else {
            probeFailures(tunnel).increment()
        }
    }

    /// Records `count` more restarts.
    func recordRestarts(_ tunnel: String, count: Int) {
        restarts(tunnel).increment(by: Int64(count))
    }

    /// The text exposition (format 0.0.4) for the given snapshot.
    public func exposition(_ tunnels: [TunnelStatus]) -> String {
        let current = Set(tunnels.map(\.name))
        let gone = knownNames.value.subtracting(current)
        for name in gone { unregisterGauges(name) }
        for tunnel in tunnels {
            register(tunnel.name)
            gauge("up", "1 when the tunnel is up (forward established and last probe passed)", tunnel.name)
                .set(to: tunnel.state == .up ? 1.0 : 0.0)
            for state in TunnelState.allCases {
                registry.makeGauge(descriptor: Self.descriptor("state", "1 for the state the tunnel is in"),
                                   labels: [("tunnel", tunnel.name), ("state", state.rawValue)]).set(to: tunnel.state == state ? 1.0 : 0.0)
            }
            gauge("uptime", "seconds the tunnel has been up (0 when not up)", tunnel.name, unit: "seconds").set(to: tunnel.uptimeSeconds ?? 0)
            registry.makeGauge(descriptor: Self.descriptor("info", "tunnel configuration"),
                               labels: [("tunnel", tunnel.name), ("server", tunnel.server), ("remote", tunnel.remote), ("local", tunnel.local)])
                .set(to: 1.0)
        }
        knownNames.update { $0 = current }
        return registry.emitToString()
    }

    private func gauge(_ name: String, _ help: String, _ tunnel: String, unit: String = "") -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help, unit: unit), labels: [("tunnel", tunnel)])
    }

    private func unregisterGauges(_ tunnel: String) {
        registry.unregisterGauge(gauge("up", "1 when the tunnel is up (forward established and last probe passed)", tunnel))
        registry.unregisterGauge(gauge("uptime", "seconds the tunnel has been up (0 when not up)", tunnel, unit: "seconds"))
        for state in TunnelState.allCases {
            registry.unregisterGauge(registry.makeGauge(descriptor: Self.descriptor("state", "1 for the state the tunnel is in"),
                                                        labels: [("tunnel", tunnel), ("state", state.rawValue)]))
        }
        registry.unregisterCounter(restarts(tunnel))
        registry.unregisterCounter(probeFailures(tunnel))
        registry.unregisterDurationHistogram(latency(tunnel))
    }
}
