import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Listens to Linux's rtnetlink for link, address and route changes and reports them, coalesced, so the
/// supervisor can retry at once when the network comes back instead of waiting out its backoff.
/// Where netlink is unavailable it reports nothing and the per-server checks and backoff still apply.
public final class NetworkChangeMonitor: Sendable {
    private let stopped = SharedValue(false)

    /// `struct sockaddr_nl` from <linux/netlink.h> (not exported by the Glibc module).
    private struct NetlinkAddress {
        var family = UInt16(16)  // AF_NETLINK
        var pad: UInt16 = 0
        var pid: UInt32 = 0
        var groups: UInt32 = 0
    }

    private static let groups: UInt32 = 0x1 | 0x10 | 0x40 | 0x100 | 0x400  // LINK, IPV4_IFADDR, IPV4_ROUTE, IPV6_IFADDR, IPV6_ROUTE

    /// Starts listening; `onChange` runs after each burst of changes has been quiet for `quietPeriod`.
    /// Returns nil when netlink cannot be opened.
    public init?(quietPeriod: Duration = .milliseconds(300), onChange: @escaping @Sendable () -> Void) {
        let socketDescriptor = socket(16, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)  // AF_NETLINK, NETLINK_ROUTE
        guard socketDescriptor >= 0 else { return nil }
        var address = NetlinkAddress(groups: Self.groups)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<NetlinkAddress>.size)) }
        }
        guard bound == 0 else {
            close(socketDescriptor)
            return nil
        }
        let quietMilliseconds = Int32(quietPeriod.milliseconds)
        let stopped = self.stopped
        DetachedThread.start {
            // The thread owns the descriptor: closing it from elsewhere while recv blocks could let a reused
            // descriptor number be read here later. It closes it itself once told to stop.
            defer { close(socketDescriptor) }
            var buffer = [UInt8](repeating: 0, count: 16384)
            while !stopped.value {
                let count = recv(socketDescriptor, &buffer, buffer.count, 0)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 && errno != ENOBUFS { return }
                // Coalesce the burst: wait until nothing more arrives for the quiet period.
                var poller = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
                while poll(&poller, 1, quietMilliseconds) > 0 {
                    if recv(socketDescriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT)) <= 0 && errno != ENOBUFS && errno != EAGAIN { return }
                }
                if !stopped.value { onChange() }
            }
        }
    }

    /// Stops reporting; the listening thread ends at the next netlink message.
    public func stop() {
        stopped.update { $0 = true }
    }
}
