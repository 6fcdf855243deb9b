import Testing
@testable import TunnelManager

@Suite("supervisor: ssh argv")
struct SSHCommandTests {
    @Test("the argv carries every safety option, the forward, then -- and the destination")
    func fullArgv() {
        var tunnel = TunnelSupervisorTests.tunnel()
        tunnel.serverPort = 2200
        tunnel.identityFile = "/home/pi/.ssh/id tunnel"
        tunnel.sshOptions = ["AddressFamily=inet"]
        tunnel.remote = RemoteBinding(bindAddress: "0.0.0.0", port: 2222)
        #expect(SSHCommand.arguments(for: tunnel) == [
            "-v", "-N", "-T", "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes",
            "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", "-o", "ConnectTimeout=10",
            "-o", "ControlMaster=no", "-o", "ControlPath=none", "-o", "StrictHostKeyChecking=yes",
            "-p", "2200", "-i", "/home/pi/.ssh/id tunnel", "-o", "IdentitiesOnly=yes", "-o", "AddressFamily=inet",
            "-R", "0.0.0.0:2222:localhost:22", "--", "tunnel@vps",
        ])
        #expect(SSHCommand.display(for: tunnel).contains("-i '/home/pi/.ssh/id tunnel'"))
    }

    @Test("with reclaim_script, the tunnel asks for a session `hold PORT` instead of -N, keeping every other option")
    func holdSession() {
        var tunnel = TunnelSupervisorTests.tunnel()
        let plain = SSHCommand.arguments(for: tunnel)
        tunnel.reclaimScript = true
        let arguments = SSHCommand.arguments(for: tunnel)
        #expect(!arguments.contains("-N"))
        #expect(arguments.suffix(4) == ["--", "tunnel@vps", "hold", "2222"])
        #expect(Array(arguments.dropLast(2)) == plain.filter { $0 != "-N" })
    }

    @Test("accept-new is passed through; IPv6 targets are bracketed; sub-second durations round up")
    func variants() {
        var tunnel = TunnelSupervisorTests.tunnel()
        tunnel.hostKeyPolicy = .acceptNew
        tunnel.local = Endpoint(host: "::1", port: 8080)
        tunnel.keepaliveInterval = .milliseconds(500)
        let arguments = SSHCommand.arguments(for: tunnel)
        #expect(arguments.contains("StrictHostKeyChecking=accept-new"))
        #expect(arguments.contains("2222:[::1]:8080"))
        #expect(arguments.contains("ServerAliveInterval=1"))
        #expect(!arguments.contains("-i"))
    }
}
