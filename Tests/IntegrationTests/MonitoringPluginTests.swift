import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// `status` as a Nagios/Icinga plugin against a real daemon: exit code, and performance data on request.
@Suite("real sshd: monitoring plugin output", .serialized)
struct MonitoringPluginTests {
    @Test("status --perfdata ends the first line with | up=N;;;0;N and each tunnel's latency and restarts; without it the line is as before")
    func performanceData() async throws {
        try await RigSupport.withRig { rig in
            let socket = "\(rig.directory)/control.sock"
            let path = try RigSupport.writeConfig(rig, ports: [try LoopbackSSHServer.freePort(), try LoopbackSSHServer.freePort()], prefix: "p")
            let daemon = try DaemonProcess(config: path, socket: socket)
            defer { daemon.stop() }
            #expect(await daemon.waitUntilServing(), "\(daemon.log)")
            var run = (status: Int32(-1), output: "", error: "")
            let measured = await RigSupport.eventually {
                run = await (try? await runTunnelTUI(["status", "--perfdata", "--socket", socket])) ?? run
                return run.status == 0 && !run.output.contains("latency_p0=U") && !run.output.contains("latency_p1=U")
            }
            #expect(measured, "\(run.output)")
            let first = String(run.output.split(separator: "\n").first ?? "")
            let parts = first.components(separatedBy: " | ")
            #expect(parts.count == 2, "\(first)")
            #expect(parts.first?.hasPrefix("OK: 2 of 2 tunnels up") == true)
            let data = parts.last ?? ""
            #expect(data.hasPrefix("up=2;;;0;2 latency_p0="), "\(data)")
            #expect(data.contains(#/latency_p1=[0-9.]+ms;;;0 /#), "\(data)")
            #expect(data.hasSuffix("restarts_p0=0c restarts_p1=0c"), "\(data)")
            let plain = try await runTunnelTUI(["status", "--socket", socket])
            #expect(plain.status == 0)
            #expect(!plain.output.contains("|"), "no performance data without the flag: \(plain.output)")
        }
    }
}
