import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// `tunnel-tui bench-render`: times the dashboard's frame rendering (view state to in-memory screen).
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-render",
        abstract: "Time rendering a frame of the dashboard with many tunnels (prints figures).",
        shouldDisplay: false)

    @Option(help: "Number of tunnels.") var tunnels = 200
    @Option(help: "Frames to render.") var frames = 500
    @Option(help: "Terminal width.") var width = 120
    @Option(help: "Terminal height.") var height = 40

    func run() {
        let now = Date()
        let statuses = (0..<tunnels).map { index -> TunnelStatus in
            let states: [TunnelState] = [.up, .up, .up, .unreachable, .backoff, .failed, .stopped]
            let history: [Double?] = (0..<60).map { $0 % 17 == 0 ? nil : Double(($0 * 7 + index) % 40) + 5 }
            return TunnelStatus(
                name: "tunnel-\(index)", server: "tunnel@vps.example.com", remote: "vps.example.com:\(20000 + index)",
                local: "localhost:\(8000 + index)", publicEndpoint: "vps.example.com:\(20000 + index)",
                state: states[index % states.count], cause: index % 3 == 0 ? "connection refused" : nil, hint: nil,
                causeNeedsUser: false, pid: Int32(1000 + index), since: now.addingTimeInterval(-3600), uptimeSeconds: 3600,
                restarts: index % 5, retryInSeconds: 4.2, latencyMilliseconds: history.last ?? nil, latencyHistory: history,
                latencyMinimum: 5, latencyAverage: 20, latencyMaximum: 44, command: ["ssh", "-N", "-R", "x"],
                recentLog: [LogEntry(time: now, origin: .supervisor, text: "up (probe passed in 12.0 ms)")], autostart: true)
        }
        let log = (0..<500).map { LogEntry(time: now, origin: .ssh, text: "log line \($0) " + String(repeating: "x", count: $0 % 150)) }
        var state = ViewState(configPath: "/etc/tunnel-tui/config.toml", now: now, width: width, height: height)
        _ = DashboardUpdate.update(&state, .tunnels(statuses, selectedLog: log))
        var durations: [Double] = []
        var keys: [Key] = [.character("j"), .character("j"), .character("k")]
        for frame in 0..<frames {
            let start = ContinuousClock.now
            _ = DashboardUpdate.update(&state, .key(keys[frame % keys.count]))
            let screen = DashboardRenderer.render(state)
            durations.append((ContinuousClock.now - start).seconds * 1000)
            if screen.width == 0 { keys.append(.character("k")) }  // keep the work observable
        }
        durations.sort()
        let mean = durations.reduce(0, +) / Double(durations.count)
        let p50 = durations[durations.count / 2], p99 = durations[min(durations.count - 1, durations.count * 99 / 100)]
        print("render \(tunnels) tunnels at \(width)x\(height): \(frames) frames, mean \(String.fixed(mean, digits: 3)) ms, "
              + "p50 \(String.fixed(p50, digits: 3)) ms, p99 \(String.fixed(p99, digits: 3)) ms, max \(String.fixed(durations.last ?? 0, digits: 3)) ms")
    }
}
