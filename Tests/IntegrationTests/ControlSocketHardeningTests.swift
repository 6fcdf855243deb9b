import Foundation
import Testing
@testable import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The control socket against hostile neighbours and floods (issue 14): planted directories, hostile replies,
/// a stopped first supervisor, running out of descriptors, and a 200-tunnel `subscribe` read slowly.
@Suite("real sshd: control socket hardening", .serialized)
struct ControlSocketHardeningTests {
    /// A Unix socket client connected without blocking on a full backlog; -1 when the connect did not succeed.
    static func connectClient(_ path: String, blocking: Bool = false) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if !blocking { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        let connected = (try? SocketAddress.withUnixAddress(path) { connect(descriptor, $0, $1) }) ?? -1
        guard connected == 0 else {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    @Test("status and daemon refuse a socket directory another user planted in a world-writable parent, saying what to do")
    func plantedDirectoryRefused() async throws {
        try await RigSupport.withRig { rig in
            let shared = "\(rig.directory)/tmp"
            mkdir(shared, 0o1777)
            chmod(shared, 0o1777)
            let planted = "\(shared)/tunnel-tui-0"
            mkdir(planted, 0o777)
            chmod(planted, 0o777)
            chown(planted, 65534, 65534)
            let socket = "\(planted)/control.sock"
            let status = try await runTunnelTUI(["status", "--socket", socket], timeout: .seconds(20))
            #expect(status.status == 3)
            #expect(status.output.contains("refusing \(planted): owned by uid 65534, not by you"), "\(status.output)")
            let config = try RigSupport.writeConfig(rig, ports: [try LoopbackSSHServer.freePort()], prefix: "p")
            let daemon = try await runTunnelTUI(["daemon", "--config", config, "--socket", socket], timeout: .seconds(20))
            #expect(!daemon.timedOut && daemon.status == 1, "the daemon must refuse, not serve: \(daemon.error)")
            #expect(daemon.error.contains("refusing \(planted)") && daemon.error.contains("--socket"), "\(daemon.error)")
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test("escape sequences in a reply (OSC 52, window title) never reach the terminal from status or stop")
    func hostileRepliesSanitised() async throws {
        let directory = NSTemporaryDirectory() + "tt-hostile-\(UUID().uuidString)"
        mkdir(directory, 0o700)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/control.sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        _ = try SocketAddress.withUnixAddress(path) { bind(listener, $0, $1) }
        listen(listener, 8)
        defer { close(listener) }
        let reply = #"{"version":1,"ok":false,"error":"\u001b]52;c;cm0gLXJmIH4K\u0007\u001b]0;pwned\u0007boom\u009b31m","instance":{"pid":1,"mode":"\u001b[2Jdaemon","config":"x"}}"# + "\n"
        let server = Thread {
            for _ in 0..<2 {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(client, &buffer, buffer.count, 0)
                _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
        server.start()
        let status = try await runTunnelTUI(["status", "--socket", path], timeout: .seconds(20))
        #expect(status.status == 3)
        #expect(status.output.contains("UNKNOWN: ") && status.output.contains("boom"), "\(status.output)")
        let stop = try await runTunnelTUI(["stop", "--all", "--socket", path], timeout: .seconds(20))
        #expect(stop.error.contains("boom"), "\(stop.error)")
        for text in [status.output, status.error, stop.output, stop.error] {
            #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "raw control characters: \(text.debugDescription)")
        }
    }

    @Test("a SIGSTOPped first daemon still holds the lock: a second refuses at once, also with its socket removed, and starts no ssh")
    func stoppedFirstDaemonHoldsTheLock() async throws {
        try await RigSupport.withRig { rig in
            let socket = "\(rig.directory)/control.sock"
            let port = try LoopbackSSHServer.freePort()
            let config = try RigSupport.writeConfig(rig, ports: [port], prefix: "s")
            let first = try DaemonProcess(config: config, socket: socket)
            defer {
                kill(first.pid, SIGCONT)
                first.stop()
            }
            #expect(await first.waitUntilServing(), "\(first.log)")
            #expect(await RigSupport.eventually { RigSupport.sshProcesses(mentioning: ":\(port):").count == 1 })
            kill(first.pid, SIGSTOP)
            for removeSocket in [false, true] {
                if removeSocket { unlink(socket) }
                let started = ContinuousClock.now
                let second = try await runTunnelTUI(["daemon", "--config", config, "--socket", socket], timeout: .seconds(20))
                #expect(!second.timedOut && second.status == 1, "second daemon ran (socket removed: \(removeSocket)): \(second.error)")
                #expect(ContinuousClock.now - started < .seconds(5), "refuses quickly")
                #expect(second.error.contains("another tunnel-tui already serves \(socket) (pid \(first.pid), daemon, config \(config))"), "\(second.error)")
                #expect(RigSupport.sshProcesses(mentioning: ":\(port):").count == 1, "no second ssh for the same port")
            }
            let status = try await runTunnelTUI(["status", "--socket", socket], timeout: .seconds(30))
            #expect(!status.timedOut && status.status == 3, "status of a socketless instance exits 3: \(status.output)")
            kill(first.pid, SIGCONT)
        }
    }

    @Test("a flood of clients cannot take the daemon's descriptors: past its cap (a quarter of its limit) each gets a refusal line; its tunnel stays up, status answers once the flood closes, SIGTERM ends it with 0")
    func descriptorFlood() async throws {
        try await RigSupport.withRig { rig in
            let socket = "\(rig.directory)/control.sock"
            let port = try LoopbackSSHServer.freePort()
            let config = try RigSupport.writeConfig(rig, ports: [port], prefix: "e")
            let daemon = try DaemonProcess(config: config, socket: socket, launcher: ["/usr/bin/prlimit", "--nofile=48:48", "--"])
            defer { daemon.stop() }
            #expect(await daemon.waitUntilServing(), "\(daemon.log)")
            #expect(await RigSupport.eventually { (try? await runTunnelTUI(["status", "--socket", socket], timeout: .seconds(20)).status) == 0 })
            func descriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.pid)/fd"))?.count ?? 0 }
            var flood: [Int32] = []
            defer { for descriptor in flood { close(descriptor) } }
            for _ in 0..<150 {
                let descriptor = Self.connectClient(socket)
                if descriptor >= 0 { flood.append(descriptor) }
            }
            // Before the cap, this flood took all 48 (EMFILE), and libdispatch could end the daemon with SIGILL.
            var most = 0
            for _ in 0..<20 {
                most = max(most, descriptors())
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(most < 44, "descriptors in use at most \(most) of 48 during a flood of \(flood.count) clients")
            let refusal = Self.readLine(flood.last ?? -1, timeout: .seconds(10))
            #expect(refusal.contains("refused: 12 clients already connected; try again in a moment"), "the last client read: \(refusal)")
            for descriptor in flood { close(descriptor) }
            flood = []
            let status = try await runTunnelTUI(["status", "--socket", socket], timeout: .seconds(40))
            #expect(!status.timedOut && status.status == 0 && status.output.contains("1 of 1 tunnels up"), "serves after the flood: \(status.output) \(status.error)")
            daemon.stop()
            #expect(daemon.process.terminationStatus == 0, "\(daemon.log)")
        }
    }

    /// What arrives on `descriptor` up to its end or `timeout` (poll, so it never blocks longer).
    static func readLine(_ descriptor: Int32, timeout: Duration) -> String {
        var bytes: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 100) >= 0 else { break }
            guard waiting.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
            if bytes.contains(10) { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("subscribe at 280 tunnels (a snapshot larger than the socket buffer), read slowly: every line is whole JSON and the client is not dropped")
    func largeSnapshotsToASlowReader() async throws {
        try await RigSupport.withRig { rig in
            let socket = "\(rig.directory)/control.sock"
            var text = RigSupport.defaultsTable(rig, extra: "autostart = false")
            let ports = try (0..<2).map { _ in try LoopbackSSHServer.freePort() }
            // The other 278 never start; their ports only have to differ from each other and from the two free ones.
            let unstarted = (20000..<20300).filter { !ports.contains($0) }
            for index in 0..<280 {
                text += "\n[[tunnel]]\nname = \"a-rather-long-tunnel-name-as-people-write-them-for-the-dashboard-\(index)\"\nremote = \"127.0.0.1:\(index < 2 ? ports[index] : unstarted[index])\"\n"
                    + "local = \"127.0.0.1:\(rig.port)\"\nprobe = \"banner\"\n"
            }
            let config = "\(rig.directory)/wide.toml"
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let daemon = try DaemonProcess(config: config, socket: socket)
            defer { daemon.stop() }
            #expect(await daemon.waitUntilServing(), "\(daemon.log)")
            let client = Self.connectClient(socket, blocking: true)
            try #require(client >= 0)
            defer { close(client) }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var bufferSize: Int32 = 4096
            setsockopt(client, SOL_SOCKET, SO_RCVBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
            _ = "{\"version\":1,\"command\":\"subscribe\"}\n".withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            // Changes while the reader lags: start and stop two tunnels a few times.
            let changes = Task.detached {
                for round in 0..<6 {
                    for name in ["a-rather-long-tunnel-name-as-people-write-them-for-the-dashboard-0", "a-rather-long-tunnel-name-as-people-write-them-for-the-dashboard-1"] {
                        _ = try? ControlClient.send(round % 2 == 0 ? .start(tunnel: name) : .stop(tunnel: name), path: socket)
                    }
                    try? await Task.sleep(for: .milliseconds(300))  // real time: changes spread over the slow read
                }
            }
            var received: [UInt8] = []
            var lines: [[UInt8]] = []
            var closedByServer = false
            var chunk = [UInt8](repeating: 0, count: 8192)
            // Real time for the daemon process: it must keep a subscriber that reads this slowly for 8 s.
            let until = ContinuousClock.now + .seconds(8)
            while ContinuousClock.now < until {
                let count = recv(client, &chunk, chunk.count, 0)
                if count == 0 { closedByServer = true; break }
                if count > 0 { received += chunk[0..<count] }
                while let newline = received.firstIndex(of: 10) {
                    lines.append(Array(received[..<newline]))
                    received.removeSubrange(...newline)
                }
                usleep(20_000)  // about 400 KB/s: slower than the snapshots come
            }
            await changes.value
            #expect(!closedByServer, "the server dropped the slow subscriber after \(lines.count) lines and \(received.count) bytes of a partial one")
            #expect(lines.count >= 2, "the reply and at least one update")
            let largest = lines.map(\.count).max() ?? 0
            #expect(largest > 212_992, "a snapshot larger than the socket's send buffer (net.core.wmem_default): \(largest) bytes")
            for line in lines {
                let reply = try? ControlCoding.decoder().decode(ControlResponse.self, from: Data(line))
                #expect(reply?.ok == true && reply?.tunnels?.count == 280, "a line that is not a whole snapshot (\(line.count) bytes)")
            }
        }
    }
}
