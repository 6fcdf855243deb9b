import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

@Suite("real sshd: kernel keepalive on ssh's connection", .serialized)
struct KernelKeepaliveTests {
    /// The keepalive timer `ss` shows on the client side of connections to `port`, in seconds.
    static func keepaliveTimers(toPort port: Int) throws -> [Double] {
        let output = try runProgram("/usr/bin/ss", ["-tnoH", "state", "established", "dport = :\(port)"]).output
        // "... timer:(keepalive,1.9sec,0)", "timer:(keepalive,119min,0)", "timer:(keepalive,850ms,0)"
        return output.split(separator: "\n").compactMap { line -> Double? in
            guard let range = line.range(of: "timer:(keepalive,") else { return nil }
            let value = line[range.upperBound...].prefix { $0 != "," }
            let number = Double(value.prefix { $0.isNumber || $0 == "." }) ?? .infinity
            if value.hasSuffix("ms") { return number / 1000 }
            if value.hasSuffix("min") { return number * 60 }
            return number
        }
    }

    @Test("by default the manager arms it on a live tunnel's ssh: the kernel probes the server connection every second instead of after 2 hours; tcp_timeout = 0s leaves ssh's socket alone")
    func armsRealSSH() async throws {
        try await RigSupport.withRig { rig in
            for (timeout, expectArmed) in [(nil, true), ("\"0s\"", false)] as [(String?, Bool)] {
                let remotePort = try LoopbackSSHServer.freePort()
                // No probe and a local side nobody uses: the only connection to the rig's port is ssh's own.
                let config = try ConfigFixture(rig).with(defaults: timeout.map { ["tcp_timeout": $0] } ?? [:])
                    .with(tunnel: "kept", remote: "127.0.0.1:\(remotePort)", local: "127.0.0.1:9", probe: "none").parsed()
                try await RigSupport.withManager(config) { manager in
                    let status = await RigSupport.waitFor(.up, "kept", in: manager)
                    let pid = try #require(status?.pid, "log:\n\(RigSupport.logText(status))")
                    if expectArmed {
                        var timers: [Double] = []
                        let armed = await RigSupport.eventually(timeout: .seconds(10)) {
                            timers = (try? Self.keepaliveTimers(toPort: rig.port)) ?? []
                            return timers.count == 1 && timers.allSatisfy { $0 <= 1.01 }
                        }
                        #expect(armed, "timers: \(timers)")
                    } else {
                        // With 0s the supervisor asks for no arming at all (see its unit tests), so one look suffices.
                        let timers = try Self.keepaliveTimers(toPort: rig.port)
                        // ssh's own TCPKeepAlive=yes uses the system's 2-hour idle time; arming it by hand works too.
                        #expect(timers.count == 1 && timers.allSatisfy { $0 > 60 }, "timers: \(timers)")
                        let descriptor = try KernelKeepalive(timeout: .seconds(6)).arm(pid: pid, serverPort: rig.port)
                        #expect(descriptor >= 3)
                        let after = try Self.keepaliveTimers(toPort: rig.port)
                        #expect(after.count == 1 && after.allSatisfy { $0 <= 1.01 }, "timers after arming by hand: \(after)")
                    }
                }
            }
        }
    }

    @Test("a lost CGNAT mapping is found by the kernel within tcp_timeout, long before ssh's keepalive or the next probe, and an idle healthy connection is left alone",
          .enabled(if: NetworkNamespace.isAvailable, "needs root, iproute2 and nftables"))
    func findsLostMapping() async throws {
        try await NetworkNamespace.withRig(staleSessionsLinger: true) { namespace, rig in
            let remotePort = Int.random(in: 20000...60000)
            // ssh alone notices after 30 s x (3 + 1) = 120 s, the probes after a minute: only the kernel can be quick.
            let config = try ConfigFixture(rig).with(defaults: [
                "keepalive_interval": "\"30s\"", "keepalive_count": "3", "tcp_timeout": "\"3s\"",
                "probe_interval": "\"60s\"", "probe_timeout": "\"1s\"",
            ]).with(tunnel: "cgnat", remote: "\(namespace.serverAddress):\(remotePort)", local: "\(namespace.serverAddress):\(rig.port)",
                    extra: "public = \"\(namespace.serverAddress):\(remotePort)\"").parsed()
            try await RigSupport.withManager(config) { manager in
                let up = await RigSupport.waitFor(.up, "cgnat", in: manager)
                let pid = try #require(up?.pid, "\(RigSupport.logText(up))")
                // Kernel timers run on wall time: an idle connection whose keepalives are answered survives
                // well past tcp_timeout (3 s).
                try await Task.sleep(for: .seconds(8))
                #expect(await manager.status(of: "cgnat")?.pid == pid, "a healthy idle connection was ended")

                let clientPort = try #require(try NetworkNamespace.clientPort(ofProcess: pid, to: namespace.serverAddress, port: rig.port))
                try namespace.dropConnection(clientPort: clientPort)
                let cut = ContinuousClock.now
                // tcp_timeout 3 s plus one keepalive period (1 s) and the exit's way to the manager; 15 s leaves a
                // noisy machine room and is still far below the probe (60 s) and ssh's keepalive (120 s).
                let after = await manager.waitUntil("cgnat", is: "ended by the kernel", timeout: .seconds(15)) { $0.pid != pid }
                let detection = ContinuousClock.now - cut
                #expect(detection < .seconds(15), "found after \(detection)")
                #expect(after?.recentLog.contains { $0.text.contains("probe of") } == false, "the probe found it, not the kernel")
                await rig.killSessions()
            }
        }
    }
}
