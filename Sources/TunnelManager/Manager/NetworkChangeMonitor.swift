import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Listens to Linux's rtnetlink for link, address and route changes and reports them, coalesced, so the
/// supervisor can retry at once when the network comes back instead of waiting out its backoff.
/// Where netlink is unavailable it reports nothing and the per-server checks and backoff still apply.
///
/// The socket is watched by the shared ``EventLoop`` (no thread of its own); a burst of messages is
/// reported once it has been quiet for the quiet period (a timer on the loop, moved on by each message).
public final class NetworkChangeMonitor: Sendable {
    private let descriptor: Int32
    private let stopped = SharedValue(false)
    /// The pending report of the current burst, on the loop.
    private let report = SharedValue<EventLoop.TimerID?>(nil)

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
        let socketDescriptor = socket(16, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)  // AF_NETLINK, NETLINK_ROUTE
        guard socketDescriptor >= 0 else { return nil }
        var address = NetlinkAddress(groups: Self.groups)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<NetlinkAddress>.size)) }
        }
        guard bound == 0 else {
            close(socketDescriptor)
            return nil
        }
        descriptor = socketDescriptor
        let loop = EventLoop.shared
        let (stopped, report) = (self.stopped, self.report)
        let watched = loop.watch(socketDescriptor) {
            guard Self.drain(socketDescriptor), !stopped.value else { return }
            // Coalesce the burst: report once nothing more has arrived for the quiet period.
            report.update { timer in
                if let timer { loop.cancel(timer) }
                timer = loop.schedule(at: .now + quietPeriod) {
                    report.update { $0 = nil }
                    if !stopped.value { onChange() }
                }
            }
        }
        guard watched else {
            close(socketDescriptor)
            return nil
        }
    }

    /// Reads every queued message; whether any arrived (an overflow, ENOBUFS, counts: changes were lost).
    private static func drain(_ descriptor: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16384)
        var changed = false
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 || (count < 0 && errno == ENOBUFS) {
                changed = true
            } else if !(count < 0 && errno == EINTR) {
                return changed
            }
        }
    }

    /// Stops reporting and closes the socket (on the loop's thread, so no handler reads it meanwhile).
    public func stop() {
        var first = false
        stopped.update { value in
            first = !value
            value = true
        }
        guard first else { return }
        let (descriptor, report) = (self.descriptor, self.report)
        EventLoop.shared.perform {
            report.update { timer in
                if let timer { EventLoop.shared.cancel(timer) }
                timer = nil
            }
            EventLoop.shared.unwatch(descriptor)
            close(descriptor)
        }
    }
}
