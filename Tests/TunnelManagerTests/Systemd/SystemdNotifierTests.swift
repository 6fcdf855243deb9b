import Foundation
import Logging
import Testing
@testable import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// sd_notify datagrams, received on a socket the test binds where systemd's would be.
@Suite("systemd notifications")
struct SystemdNotifierTests {
    /// A datagram socket standing in for systemd's; `address` is a path or `@abstract`.
    private final class FakeSystemd {
        let descriptor: Int32
        let address: String
        private let path: String?

        init(abstract: Bool) throws {
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            let name = "tunnel-tui-notify-\(getpid())-\(UUID().uuidString.prefix(8))"
            path = abstract ? nil : FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            address = path ?? "@\(name)"
            var bytes = Array((path ?? name).utf8)
            if abstract { bytes.insert(0, at: 0) }
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
                for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            let bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            try #require(bound == 0, "bind: \(String(cString: strerror(errno)))")
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
        }

        deinit {
            close(descriptor)
            if let path { unlink(path) }
        }
    }

    @Test("READY, RELOADING with a monotonic time, STOPPING and WATCHDOG reach the socket named by NOTIFY_SOCKET", arguments: [false, true])
    func messages(abstract: Bool) throws {
        let systemd = try FakeSystemd(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.address])
        notifier.ready(status: "supervising 3 tunnels")
        #expect(systemd.receive() == "READY=1\nSTATUS=supervising 3 tunnels")
        notifier.reloading()
        let reloading = systemd.receive() ?? ""
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), "\(reloading)")
        #expect(UInt64(reloading.split(separator: "=").last ?? "").map { $0 > 0 } == true)
        notifier.stopping()
        #expect(systemd.receive() == "STOPPING=1")
        notifier.watchdog()
        #expect(systemd.receive() == "WATCHDOG=1")
    }

    @Test("without NOTIFY_SOCKET nothing is sent and no watchdog runs")
    func outsideSystemd() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(notifier.socketPath == nil)
        #expect(notifier.watchdogInterval == nil)
        notifier.ready(status: "x")  // must not crash or block
    }

    @Test("the watchdog pings at half of WATCHDOG_USEC, and only for the pid it names")
    func watchdogInterval() {
        let ours = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42)
        #expect(ours.watchdogInterval == .seconds(15))
        let theirs = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "43"], pid: 42)
        #expect(theirs.watchdogInterval == nil)
        let unnamed = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "2000000"], pid: 42)
        #expect(unnamed.watchdogInterval == .seconds(1))
    }
}

/// Log lines under journald.
@Suite("journald log format")
struct JournalLogHandlerTests {
    @Test("each level carries its sd-daemon priority prefix and no timestamp; a message stays on one line")
    func lines() {
        #expect(JournalLogHandler.line(level: .notice, message: "web: forward established") == "<5>web: forward established\n")
        #expect(JournalLogHandler.line(level: .info, message: "a") == "<6>a\n")
        #expect(JournalLogHandler.line(level: .warning, message: "a") == "<4>a\n")
        #expect(JournalLogHandler.line(level: .error, message: "a") == "<3>a\n")
        #expect(JournalLogHandler.line(level: .critical, message: "a") == "<2>a\n")
        #expect(JournalLogHandler.line(level: .debug, message: "a") == "<7>a\n")
        #expect(JournalLogHandler.line(level: .error, message: "two\nlines") == "<3>two lines\n")
    }

    @Test("the handler writes what a Logger logs, filtered by its level")
    func handler() {
        let written = SharedValue<[String]>([])
        var handler = JournalLogHandler(label: "t") { line in written.update { $0.append(line) } }
        handler.logLevel = .notice
        let logger = Logger(label: "t", factory: { _ in handler })
        logger.info("dropped")
        logger.notice("kept")
        #expect(written.value == ["<5>kept\n"])
    }

    @Test("the journal format is chosen only when JOURNAL_STREAM names the descriptor's own device and inode")
    func detection() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        let descriptor = open(file, O_CREAT | O_WRONLY, 0o600)
        defer {
            close(descriptor)
            unlink(file)
        }
        var status = stat()
        try #require(fstat(descriptor, &status) == 0)
        let matching = "\(status.st_dev):\(status.st_ino)"
        #expect(JournalLogHandler.format(environment: ["JOURNAL_STREAM": matching], descriptor: descriptor) == .journal)
        #expect(JournalLogHandler.format(environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"], descriptor: descriptor) == .stream)
        #expect(JournalLogHandler.format(environment: [:], descriptor: descriptor) == .stream)
    }
}
