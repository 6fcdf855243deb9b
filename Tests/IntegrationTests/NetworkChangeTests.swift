import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// Network changes reported by netlink: the test changes an address on a link it created.
@Suite("real sshd: network changes", .serialized, .enabled(if: NetworkNamespace.isAvailable, "needs root, iproute2 and nftables"))
struct NetworkChangeTests {
    @Test("when the network comes back, tunnels retry at once instead of waiting out their backoff and server check")
    func networkReturns() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let rig = try await LoopbackSSHServer(listenAddress: namespace.serverAddress, namespace: namespace.name)
        try namespace.removeHostAddress()
        let config = try RigSupport.config(rig, defaults: [
            "backoff_initial": "\"20s\"", "backoff_max": "\"60s\"", "server_check_interval": "\"60s\"", "connect_timeout": "\"3s\"",
        ], tunnels: """
            [[tunnel]]
            name = "pi-ssh"
            remote = "\(namespace.serverAddress):\(Int.random(in: 20000...60000))"
            local = "\(namespace.serverAddress):\(rig.port)"
            probe = "banner"
            """)
        let manager = RigSupport.manager(config)
        #expect(await manager.watchNetworkChanges(), "netlink is available")
        await manager.startAutostartTunnels()
        let waiting = await RigSupport.eventually(timeout: .seconds(20)) {
            await manager.status(of: "pi-ssh")?.cause?.hasPrefix("server unreachable") == true
        }
        let before = await manager.status(of: "pi-ssh", logLimit: 50)
        #expect(waiting, "no network: \(RigSupport.logText(before))")
        try await Task.sleep(for: .seconds(1))
        let restored = ContinuousClock.now
        try namespace.addHostAddress()
        let up = await RigSupport.waitFor(.up, "pi-ssh", in: manager, timeout: .seconds(15))
        let took = ContinuousClock.now - restored
        #expect(up?.state == .up, "\(RigSupport.logText(up))")
        #expect(took < .seconds(15), "up \(took) after the address returned; backoff alone would wait 20 s, the server check 60 s")
        await manager.shutdown()
        await rig.stop()
    }
}
