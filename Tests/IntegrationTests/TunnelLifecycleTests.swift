import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("real sshd: a tunnel's life", .serialized)
struct TunnelLifecycleTests {
    @Test("a tunnel comes up through a real sshd and its banner probe passes end to end")
    func comesUp() async throws {
        let rig = try await LoopbackSSHServer()
        let remotePort = try LoopbackSSHServer.freePort()
        let config = try RigSupport.config(rig, tunnels: """
            [[tunnel]]
            name = "ssh-home"
            remote = "127.0.0.1:\(remotePort)"
            local = "127.0.0.1:\(rig.port)"
            probe = "banner"
            """)
        let manager = RigSupport.manager(config)
        await manager.startAutostartTunnels()
        let status = await RigSupport.waitFor(.up, "ssh-home", in: manager)
        #expect(status?.state == .up, "log:\n\(RigSupport.logText(status))")
        #expect(status?.pid != nil)
        #expect(status?.latencyMilliseconds != nil)
        #expect(status?.recentLog.contains { $0.text.contains("forward established") } == true)
        let banner = await SocketProber().probe(ProbeRequest(
            endpoint: Endpoint(host: "127.0.0.1", port: remotePort), kind: .banner, expect: "SSH-", timeout: .seconds(3)))
        #expect(banner.passed, "probe through the public port: \(banner.detail)")
        await manager.shutdown()
        await rig.stop()
    }
}
