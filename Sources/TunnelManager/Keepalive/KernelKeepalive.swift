import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Hands an ssh child's connection to its server over to the kernel's own dead-peer detection: TCP
/// keepalive probes while the connection is idle and `TCP_USER_TIMEOUT` while data waits for an ACK.
///
/// A carrier-grade NAT that forgets a mapping drops the live connection's packets silently; ssh's own
/// `ServerAliveInterval` notices only at its next keepalive (15 s by default, then `ServerAliveCountMax`
/// more), and probes through the public port take two failed rounds. The kernel, told to, ends the
/// connection within `timeout` of the last packet the server acknowledged, with no wake-up in this process
/// or in ssh while the path is fine: ssh then exits with a connection error and is reconnected at once.
///
/// It reaches into the child's socket with `pidfd_getfd` (Linux 5.6+, allowed for a child of the same
/// user), so it needs no change to ssh and no root.
public struct KernelKeepalive: Sendable, Equatable {
    /// How long packets may go unanswered before the kernel ends the connection.
    public let timeout: Duration

    /// Idle time before the first keepalive probe, and the gap between probes (the kernel counts them in
    /// whole seconds): 1 s, or 2 s from a `timeout` of 8 s on, so at least three probes go unanswered before
    /// the connection ends (one lost packet must not end it).
    public var probeInterval: Duration {
        timeout >= .seconds(8) ? .seconds(2) : .seconds(1)
    }

    /// Creates the setting; `timeout` should be at least 2 s (shorter ones end connections on a hiccup).
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Finds `pid`'s established TCP connection to `serverPort` (its lowest descriptor: ssh connects to the
    /// server before it opens any forwarded connection) and arms keepalive and the user timeout on it.
    /// Returns the descriptor number in the child that was tuned.
    public func arm(pid: Int32, serverPort: Int) throws(KernelKeepaliveError) -> Int32 {
        let descriptor = try Self.serverSocket(of: pid, serverPort: serverPort)
        guard let pidfdOpen = Self.pidfdOpen, let pidfdGetfd = Self.pidfdGetfd else {
            throw .unsupported("this C library has no pidfd_open/pidfd_getfd (glibc 2.36+ on Linux 5.6+)")
        }
        let processDescriptor = pidfdOpen(pid, 0)
        guard processDescriptor >= 0 else { throw .system("pidfd_open(\(pid))", errno) }
        defer { close(processDescriptor) }
        // The pidfd pins the process: check it is still our child (not a reused pid) before touching it.
        guard Self.parent(of: pid) == getpid() else { throw .notOurChild(pid) }
        let socket = pidfdGetfd(processDescriptor, descriptor, 0)
        guard socket >= 0 else { throw .system("pidfd_getfd(\(pid), \(descriptor))", errno) }
        defer { close(socket) }
        let interval = Int32(max(1, probeInterval.components.seconds))
        let count = Int32(max(2, (timeout.components.seconds + Int64(interval) - 1) / Int64(interval)))
        let timeoutMilliseconds = UInt32(clamping: timeout.components.seconds * 1000
                                         + timeout.components.attoseconds / 1_000_000_000_000_000)
        let options: [(level: Int32, name: Int32, value: UInt32, label: String)] = [
            (SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE"),
            (Int32(IPPROTO_TCP), TCP_KEEPIDLE, UInt32(interval), "TCP_KEEPIDLE"),
            (Int32(IPPROTO_TCP), TCP_KEEPINTVL, UInt32(interval), "TCP_KEEPINTVL"),
            (Int32(IPPROTO_TCP), TCP_KEEPCNT, UInt32(count), "TCP_KEEPCNT"),
            (Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, timeoutMilliseconds, "TCP_USER_TIMEOUT"),
        ]
        for option in options {
            var value = option.value
            guard setsockopt(socket, option.level, option.name, &value, socklen_t(MemoryLayout<UInt32>.size)) == 0 else {
                throw .system("setsockopt(\(option.label))", errno)
            }
        }
        return descriptor
    }

    /// The lowest descriptor of `pid` that is an established TCP connection to `serverPort`.
    static func serverSocket(of pid: Int32, serverPort: Int) throws(KernelKeepaliveError) -> Int32 {
        let table = TCPSocketTable(parsing: ["tcp", "tcp6"].map { ProcFile.read("/proc/\(pid)/net/\($0)") }.joined(separator: "\n"))
        var best: Int32?
        for (descriptor, inode) in socketInodes(of: pid) {
            guard let entry = table.entries[inode], entry.established, entry.remotePort == serverPort else { continue }
            if best.map({ descriptor < $0 }) ?? true { best = descriptor }
        }
        guard let best else { throw .noServerConnection(pid: pid, serverPort: serverPort) }
        return best
    }

    /// `pid`'s descriptors that are sockets, with their inodes.
    private static func socketInodes(of pid: Int32) -> [(Int32, UInt64)] {
        guard let directory = opendir("/proc/\(pid)/fd") else { return [] }
        defer { closedir(directory) }
        var found: [(Int32, UInt64)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let descriptor = Int32(name), let link = ProcFile.link("/proc/\(pid)/fd/\(name)") else { continue }
            // "socket:[40423]"
            guard link.hasPrefix("socket:["), link.hasSuffix("]"),
                  let inode = UInt64(link.dropFirst("socket:[".count).dropLast()) else { continue }
            found.append((descriptor, inode))
        }
        return found
    }

    /// The parent pid of `pid` from `/proc/PID/stat`, or nil.
    private static func parent(of pid: Int32) -> Int32? {
        let stat = ProcFile.read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // "PID (comm) STATE PPID ...": comm may hold spaces and parentheses, so read after the last ')'.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// `pidfd_open` and `pidfd_getfd` (glibc 2.36+), absent from the Swift Glibc module.
    private static let pidfdOpen = LibraryFunction.named("pidfd_open", as: (@convention(c) (pid_t, UInt32) -> Int32).self)
    private static let pidfdGetfd = LibraryFunction.named("pidfd_getfd", as: (@convention(c) (Int32, Int32, UInt32) -> Int32).self)
}
