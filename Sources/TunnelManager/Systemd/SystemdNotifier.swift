import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd how the service is doing (`sd_notify`): a datagram of `KEY=VALUE` lines to the socket named
/// by `$NOTIFY_SOCKET` (a path, or an abstract name written with a leading `@`). Written here rather than
/// linked from libsystemd: the protocol is one datagram and the package then needs no libsystemd.
///
/// Without `$NOTIFY_SOCKET` (not started by systemd with `Type=notify`) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket systemd listens on, or nil outside a notify service.
    public let socketPath: String?
    /// How often systemd wants `WATCHDOG=1` (half of `$WATCHDOG_USEC`), or nil without a watchdog.
    public let watchdogInterval: Duration?

    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        let forUs = environment["WATCHDOG_PID"].flatMap { Int32($0) }.map { $0 == pid } ?? true
        if path != nil, forUs, let microseconds = environment["WATCHDOG_USEC"].flatMap(UInt64.init), microseconds > 0 {
            watchdogInterval = .microseconds(Int64(clamping: microseconds / 2))
        } else {
            watchdogInterval = nil
        }
    }

    /// The service is up: the control socket listens and the tunnels are started.
    public func ready(status: String) { send(["READY=1", "STATUS=\(status)"]) }

    /// A reload begins; systemd waits for ``ready(status:)`` again.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"])
    }

    /// Shutdown begins.
    public func stopping() { send(["STOPPING=1"]) }

    /// The supervisor is alive (sent while the manager answers).
    public func watchdog() { send(["WATCHDOG=1"]) }

    /// A free-form status line for `systemctl status`.
    public func status(_ text: String) { send(["STATUS=\(text)"]) }

    /// Sends `lines` as one datagram; errors are ignored, as sd_notify's callers do.
    public func send(_ lines: [String]) {
        guard let socketPath else { return }
        let message = Array(lines.joined(separator: "\n").utf8)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.enumerated() { bytes[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                message.withUnsafeBytes { bytes in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length)
                }
            }
        }
    }
}
