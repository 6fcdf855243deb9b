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
        let remotePort = try LoopbackSSHServer.freePort()
        try await RigSupport.withRigAndManager(config: { rig in
            try ConfigFixture(rig).with(tunnel: "ssh-home", remote: "127.0.0.1:\(remotePort)", local: "127.0.0.1:\(rig.port)").parsed()
        }) { _, manager in
            let status = await RigSupport.waitFor(.up, "ssh-home", in: manager)
            #expect(status?.state == .up, "log:\n\(RigSupport.logText(status))")
            #expect(status?.pid != nil)
            #expect(status?.latencyMilliseconds != nil)
            #expect(status?.recentLog.contains { $0.text.contains("forward established") } == true)
            let banner = await SocketProber().probe(ProbeRequest(
                endpoint: Endpoint(host: "127.0.0.1", port: remotePort), kind: .banner, expect: "SSH-", timeout: .seconds(3)))
            #expect(banner.passed, "probe through the public port: \(banner.detail)")
        }
    }

    @Test("a server named by a Host alias: the probe goes where ssh really connects (ssh -G), not to the alias")
    func hostAlias() async throws {
        let remotePort = try LoopbackSSHServer.freePort()
        let clock = TestClock()
        try await RigSupport.withRig { rig in
            // As a ~/.ssh/config "Host tunnel-alias / HostName 127.0.0.1" would; the name itself resolves nowhere.
            let options = rig.clientOptions + ["HostName=\(rig.listenAddress)", "HostKeyAlias=[\(rig.listenAddress)]:\(rig.port)"]
            let config = try ConfigFixture(rig).with(defaults: [
                "server": "\"\(rig.user)@tunnel-alias.invalid\"",
                "ssh_options": "[" + options.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
            ]).with(tunnel: "aliased", remote: "127.0.0.1:\(remotePort)", local: "127.0.0.1:\(rig.port)").parsed()
            #expect(config.tunnels.first?.publicFollowsServer == true)
            try await RigSupport.withManager(config, clock: clock) { manager in
                let status = await manager.waitUntil("aliased", isIn: .up, advancing: clock, by: .milliseconds(500))
                #expect(status?.state == .up, "cause: \(status?.cause ?? "-"), log:\n\(RigSupport.logText(status))")
                // Probes every 500 ms, two failures restart: ten probes (five simulated seconds) pass, no restart.
                for _ in 0..<10 {
                    #expect(await clock.waitForSleeper(), "the probe loop sleeps until its next probe")
                    await clock.advance(by: .milliseconds(500))
                }
                #expect(await clock.waitForSleeper(), "the tenth probe is done")
                let later = await manager.status(of: "aliased")
                #expect(later?.state == .up && later?.restarts == 0, "log:\n\(RigSupport.logText(later))")
                #expect(later?.latencyMilliseconds != nil, "the last public probe passed")
                let checked = await EndpointCheck.run(config)
                #expect(checked.first?.state == .up, "check: \(checked)")
                #expect(checked.first?.publicEnd.hasPrefix("\(rig.listenAddress):\(remotePort)") == true, "\(checked)")
            }
        }
    }
}
