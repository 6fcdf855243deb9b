import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The packaged daemon shares its socket with a group: a login user in that group uses it with no sudo.
@Suite("real sshd: the control socket shared with a group", .serialized,
       .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/groupadd"), "needs root and groupadd"))
struct ControlSocketGroupTests {
    /// Runs `tunnel-tui ARGUMENTS` as uid 65534 with `groups` as its supplementary groups.
    private func runAsNobody(groups: [gid_t], _ arguments: [String]) throws -> (status: Int32, output: String) {
        let groupArguments = groups.isEmpty ? ["--clear-groups"] : ["--groups=" + groups.map(String.init).joined(separator: ",")]
        return try runProgram("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534"] + groupArguments + [RigSupport.binary] + arguments,
                              environment: ["PATH": "/usr/bin:/bin"])
    }

    @Test("with --socket-group a member of the group gets status and actions; a non-member is refused")
    func groupMembers() async throws {
        let group = "tt-socket-test"
        _ = try runTunnelTUIHelper(["/usr/sbin/groupadd", "-f", group])
        let gid = try #require(getgrnam(group)).pointee.gr_gid
        try await RigSupport.withRig { rig in
            let port = try LoopbackSSHServer.freePort()
            let config = try RigSupport.writeConfig(rig, ports: [port], prefix: "g")
            chmod(config, 0o644)
            // The directory as systemd makes it for the service: the daemon's, group-readable, nobody else's.
            let directory = "/tmp/tt-group-\(UUID().uuidString.prefix(8))"
            mkdir(directory, 0o750)
            chown(directory, 0, gid)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let socket = directory + "/control.sock"
            let daemon = try DaemonProcess(config: config, socket: socket, arguments: ["--socket-group", group])
            defer { daemon.stop() }
            #expect(await daemon.waitUntilServing(), "\(daemon.log)")
            var info = stat()
            #expect(stat(socket, &info) == 0 && info.st_mode & 0o777 == 0o660 && info.st_gid == gid)

            let member = try runAsNobody(groups: [gid], ["status", "--socket", socket])
            #expect(member.output.contains("g0"), "a member sees the tunnels: \(member.output)")
            #expect(member.status != 3, "\(member.output)")
            let stop = try runAsNobody(groups: [gid], ["stop", "g0", "--socket", socket])
            #expect(stop.status == 0, "\(stop.output)")
            #expect(stop.output.contains("stopped"), "\(stop.output)")

            // Open the directory to everybody, so a stranger reaches the socket itself: the peer policy
            // (not the directory's mode) must refuse it.
            chmod(directory, 0o755)
            chmod(socket, 0o666)
            let stranger = try runAsNobody(groups: [], ["status", "--socket", socket])
            #expect(stranger.status == 3)
            #expect(stranger.output.contains("refused: the control socket serves only uid 0, root and members of group \(group)"), "\(stranger.output)")
            #expect(!stranger.output.contains("g0"), "\(stranger.output)")
        }
    }

    private func runTunnelTUIHelper(_ command: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
