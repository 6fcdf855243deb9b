import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// One version, from `BuildInfo`, everywhere it is shown.
@Suite("version")
struct VersionTests {
    @Test("--version, the control socket's instance and the metrics' build info all say BuildInfo.version")
    func oneVersion() async throws {
        let printed = try await runTunnelTUI(["--version"])
        #expect(printed.status == 0)
        #expect(printed.output.trimmingCharacters(in: .whitespacesAndNewlines) == BuildInfo.version)
        #expect(ControlInstance(pid: 1, mode: "daemon", config: "/c").version == BuildInfo.version)
        let exposition = TunnelMetrics().exposition([])
        #expect(exposition.contains("tunnel_build_info{version=\"\(BuildInfo.version)\"} 1"), "\(exposition)")
        let parts = BuildInfo.version.split(separator: ".")
        #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil }, "MAJOR.MINOR.PATCH: \(BuildInfo.version)")
    }
}
