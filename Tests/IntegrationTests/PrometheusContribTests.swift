import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// contrib/prometheus and contrib/grafana against a real daemon's exporter: promtool accepts its /metrics,
/// and every metric the rules and the dashboard use is one the exporter serves.
@Suite("real sshd: Prometheus rules and Grafana dashboard", .serialized)
struct PrometheusContribTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `tunnel_*` metric names a text mentions (histogram series reduced to their family).
    static func metricNames(in text: String) -> Set<String> {
        let names = text.matches(of: #/tunnel_[a-z_]+/#).map { String($0.output) }
        return Set(names.map { name in
            ["_bucket", "_sum", "_count"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 }
        })
    }

    /// Runs `promtool` with `arguments` and `input` on its stdin.
    private static func promtool(_ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let path = try #require(SpawnLauncher.resolve(program: "promtool"), "promtool not found on PATH: run scripts/install-deps")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("promtool check metrics accepts a daemon's /metrics; the rules and the dashboard use only metrics it exports")
    func contribMatchesTheExporter() async throws {
        try await RigSupport.withRig { rig in
            let socket = "\(rig.directory)/control.sock"
            let metricsPort = try LoopbackSSHServer.freePort()
            let path = try RigSupport.writeConfig(rig, ports: [try LoopbackSSHServer.freePort()], prefix: "m")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try ("metrics_listen = \"127.0.0.1:\(metricsPort)\"\n" + text).write(toFile: path, atomically: true, encoding: .utf8)
            let daemon = try DaemonProcess(config: path, socket: socket)
            defer { daemon.stop() }
            #expect(await daemon.waitUntilServing(), "\(daemon.log)")
            #expect(await RigSupport.eventually { (try? await runTunnelTUI(["status", "--socket", socket]).status) == 0 })
            var body = ""
            let served = await RigSupport.eventually {
                let response = MetricsTests.httpGet(port: metricsPort, path: "/metrics")
                body = String(response[(response.range(of: "\r\n\r\n")?.upperBound ?? response.endIndex)...])
                return body.contains("tunnel_probe_latency_seconds_bucket")
            }
            #expect(served, "\(body)")

            let checked = try Self.promtool(["check", "metrics"], input: body)
            #expect(checked.status == 0, "promtool check metrics: \(checked.output)\n\(body)")

            let exported = Set(body.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
                .compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
            #expect(exported.isSuperset(of: ["tunnel_up", "tunnel_state", "tunnel_restarts_total", "tunnel_probe_latency_seconds"]), "\(exported)")
            let rules = try String(contentsOf: Self.root.appendingPathComponent("contrib/prometheus/tunnel-tui.rules.yml"), encoding: .utf8)
            let dashboardData = try Data(contentsOf: Self.root.appendingPathComponent("contrib/grafana/tunnel-tui.dashboard.json"))
            let dashboard = try #require(try JSONSerialization.jsonObject(with: dashboardData) as? [String: Any])
            let panels = try #require(dashboard["panels"] as? [[String: Any]])
            let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
            #expect(expressions.count == panels.count, "every panel has a query")
            for (file, text) in [("tunnel-tui.rules.yml", rules), ("tunnel-tui.dashboard.json", expressions.joined(separator: "\n"))] {
                let used = Self.metricNames(in: text)
                #expect(!used.isEmpty)
                #expect(used.isSubset(of: exported), "\(file) uses metrics the exporter does not serve: \(used.subtracting(exported).sorted())")
            }
        }
    }
}
