import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// Network changes reported by netlink: the test changes an address on a link it created.
@Suite("real sshd: network changes", .serialized, .enabled(if: NetworkNamespace.isAvailable, "needs root, iproute2 and nftables"))
struct NetworkChangeTests {
    @Test("when the network comes back, tunnels retry at once instead of waiting out their backoff and server check")
    func networkReturns() async throws {
        // The manager's timers run on a test clock that never moves: the backoff (20 s) and the server check
        // (60 s) cannot fire, so only the network change can bring the tunnel up.
        let clock = TestClock()
        try await NetworkNamespace.withRig { namespace, rig in
            try namespace.removeHostAddress()
            let config = try ConfigFixture(rig).with(defaults: [
                "backoff_initial": "\"20s\"", "backoff_max": "\"60s\"", "server_check_interval": "\"60s\"", "connect_timeout": "\"3s\"",
            ]).with(tunnel: "pi-ssh", remote: "\(namespace.serverAddress):\(Int.random(in: 20000...60000))",
                    local: "\(namespace.serverAddress):\(rig.port)").parsed()
            try await RigSupport.withManager(config, clock: clock, startAutostart: false) { manager in
                #expect(await manager.watchNetworkChanges(), "netlink is available")
                await manager.startAutostartTunnels()
                await manager.waitUntil("pi-ssh", is: "waiting for the unreachable server", timeout: .seconds(20), logLimit: 50) {
                    $0.cause?.hasPrefix("server unreachable") == true
                }
                let restored = ContinuousClock.now
                try namespace.addHostAddress()
                let up = await RigSupport.waitFor(.up, "pi-ssh", in: manager, timeout: .seconds(15))
                let took = ContinuousClock.now - restored
                #expect(up?.state == .up, "\(RigSupport.logText(up))")
                #expect(took < .seconds(15), "up \(took) after the address returned")
                #expect(clock.now() == .zero, "no timer of the manager could have fired")
            }
        }
    }
}
