import FoundationEssentials
import Testing
@testable import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

@Suite("connection: master and mux argv, control socket directory")
struct MultiplexCommandTests {
    @Test("the master's argv: our control socket options before the user's, so ~/.ssh/config and ssh_options cannot move it")
    func masterArgv() {
        var tunnel = TunnelSupervisorTests.tunnel()
        tunnel.serverPort = 2200
        tunnel.identityFile = "/home/pi/.ssh/id_tunnel"
        tunnel.sshOptions = ["ControlPath=/home/pi/.ssh/cm-%r@%h", "AddressFamily=inet"]
        let arguments = MultiplexCommand.masterArguments(for: ConnectionKey(tunnel), controlPath: "/run/tunnel-tui/ssh.abc/c1", holdPorts: [2222])
        #expect(arguments == [
            "-v", "-N", "-T", "-o", "ControlMaster=yes", "-o", "ControlPath=/run/tunnel-tui/ssh.abc/c1", "-o", "ControlPersist=no",
            "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=no", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
            "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=yes", "-p", "2200", "-i", "/home/pi/.ssh/id_tunnel",
            "-o", "IdentitiesOnly=yes", "-o", "ControlPath=/home/pi/.ssh/cm-%r@%h", "-o", "AddressFamily=inet", "--", "tunnel@vps",
        ])
        let ours = arguments.firstIndex(of: "ControlPath=/run/tunnel-tui/ssh.abc/c1") ?? .max
        let theirs = arguments.firstIndex(of: "ControlPath=/home/pi/.ssh/cm-%r@%h") ?? .min
        #expect(ours < theirs, "ssh keeps the first value")
        #expect(!arguments.contains { $0.hasPrefix("-R") }, "forwards are added by mux clients")
    }

    @Test("with reclaim_script the master's session is `hold` with every port of its tunnels, sorted")
    func masterHold() {
        var tunnel = TunnelSupervisorTests.tunnel()
        tunnel.reclaimScript = true
        let arguments = MultiplexCommand.masterArguments(for: ConnectionKey(tunnel), controlPath: "/tmp/c1", holdPorts: [8080, 2222])
        #expect(!arguments.contains("-N"))
        #expect(arguments.suffix(5) == ["--", "tunnel@vps", "hold", "2222", "8080"])
    }

    @Test("a mux client asks for (or cancels) exactly the tunnel's -R on our socket, and nothing else")
    func forwardArgv() {
        var tunnel = TunnelSupervisorTests.tunnel()
        tunnel.remote = RemoteBinding(bindAddress: "0.0.0.0", port: 2222)
        #expect(MultiplexCommand.forwardArguments(for: tunnel, controlPath: "/tmp/c1") == [
            "-o", "ControlMaster=no", "-o", "ControlPath=/tmp/c1", "-o", "BatchMode=yes", "-O", "forward",
            "-R", "0.0.0.0:2222:localhost:22", "--", "tunnel@vps",
        ])
        #expect(MultiplexCommand.forwardArguments(for: tunnel, controlPath: "/tmp/c1", cancel: true).contains("cancel"))
    }

    @Test("tunnels differing only in what is not a connection setting share a key; any connection setting splits them")
    func sharingKey() {
        let base = TunnelSupervisorTests.tunnel()
        var other = base
        other.name = "other"
        other.remote = RemoteBinding(bindAddress: nil, port: 9999)
        other.probeInterval = .seconds(1)
        #expect(ConnectionKey(base) == ConnectionKey(other))
        other.keepaliveCount = 4
        #expect(ConnectionKey(base) != ConnectionKey(other))
        var user = base
        user.server = "someone-else@vps"
        #expect(ConnectionKey(base) != ConnectionKey(user))
    }

    @Test("the socket directory is fresh and private (0700), short enough for sun_path, and removed with what is in it")
    func directory() throws {
        let base = "/tmp/tt-connection-\(getpid())"
        mkdir(base, 0o700)
        defer { rmdir(base) }
        let directory = try ConnectionDirectory.make(in: base)
        var info = stat()
        #expect(stat(directory.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(directory.path.hasPrefix(base + "/ssh."))
        let socket = directory.socketPath(for: "c12")
        #expect(socket.utf8.count + 17 < 108, "room for ssh's temporary suffix")
        #expect(creat(socket, 0o600) >= 0)
        directory.remove()
        #expect(access(directory.path, F_OK) != 0)
        let long = try ConnectionDirectory.make(in: "/" + String(repeating: "x", count: 80))
        #expect(long.path.hasPrefix("/tmp/ssh."), "a runtime directory too long for a socket falls back to /tmp")
        long.remove()
    }
}
