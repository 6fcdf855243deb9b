import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

@Suite("real sshd: kernel keepalive on ssh's connection", .serialized)
struct KernelKeepaliveTests {
    /// The keepalive timer `ss` shows on the client side of connections to `port`, in seconds.
    static func keepaliveTimers(toPort port: Int) throws -> [Double] {
        let ss = Process()
        ss.executableURL = URL(fileURLWithPath: "/usr/bin/ss")
        ss.arguments = ["-tnoH", "state", "established", "dport = :\(port)"]
        let pipe = Pipe()
        ss.standardOutput = pipe
        try ss.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ss.waitUntilExit()
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

    @Test("armed on a live tunnel's ssh, the kernel probes its server connection every 2 s instead of after 2 hours")
    func armsRealSSH() async throws {
        try await RigSupport.withRig { rig in
            let remotePort = try LoopbackSSHServer.freePort()
            // No probe and a local side nobody uses: the only connection to the rig's port is ssh's own.
            let config = try RigSupport.config(rig, tunnels: """
                [[tunnel]]
                name = "kept"
                remote = "127.0.0.1:\(remotePort)"
                local = "127.0.0.1:9"
                probe = "none"
                """)
            let manager = RigSupport.manager(config)
            await manager.startAutostartTunnels()
            let status = await RigSupport.waitFor(.up, "kept", in: manager)
            let pid = try #require(status?.pid, "log:\n\(RigSupport.logText(status))")
            // ssh's own TCPKeepAlive=yes uses the system's 2-hour idle time.
            let before = try Self.keepaliveTimers(toPort: rig.port)
            #expect(before.count == 1 && before.allSatisfy { $0 > 60 }, "timers before: \(before)")
            let descriptor = try KernelKeepalive(timeout: .seconds(6)).arm(pid: pid, serverPort: rig.port)
            #expect(descriptor >= 3)
            let after = try Self.keepaliveTimers(toPort: rig.port)
            #expect(after.count == 1 && after.allSatisfy { $0 <= 2.01 }, "timers after: \(after)")
            await manager.shutdown()
        }
    }
}
