/// Monitoring-plugin performance data (Nagios/Icinga): what `status --perfdata` appends after `|` so the
/// monitoring system can graph the tunnels.
///
/// `up=2;;;0;3 latency_web=12.3ms;;;0 latency_nas=U restarts_web=1c restarts_nas=0c`: `up` counts the
/// tunnels up, its maximum the tunnels meant to run (stopped ones do not count); each tunnel's last probe
/// latency (`U`, undetermined, when it has none) and its restarts as a counter.
public enum PerformanceData {
    /// The performance data of `tunnels`.
    public static func render(_ tunnels: [TunnelStatus]) -> String {
        let meant = tunnels.filter { $0.state != .stopped }
        let up = meant.filter { $0.state == .up }.count
        var items = ["up=\(up);;;0;\(meant.count)"]
        for tunnel in tunnels {
            let label = Self.label("latency_\(tunnel.name)")
            if let latency = tunnel.latencyMilliseconds, tunnel.state == .up {
                items.append("\(label)=\(Self.number(latency))ms;;;0")
            } else {
                items.append("\(label)=U")
            }
        }
        for tunnel in tunnels {
            items.append("\(Self.label("restarts_\(tunnel.name)"))=\(tunnel.restarts)c")
        }
        return items.joined(separator: " ")
    }

    /// A label as the plugin guidelines allow it: quoted when it holds anything but letters, digits, `.`,
    /// `_` and `-` (tunnel names never do), without `'` and `=`.
    static func label(_ text: String) -> String {
        let clean = String(text.unicodeScalars.filter { $0.value >= 0x21 && $0.value < 0x7f && $0 != "'" && $0 != "=" && $0 != "|" }
            .map(Character.init))
        return clean.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) ? clean : "'\(clean)'"
    }

    /// `12.3`, `12`: one decimal at most.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }
}
