import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One client of the control socket; writes and close are serialized so a subscription task never writes to
/// a descriptor that was closed (and perhaps reused).
final class ControlConnection: Sendable {
    let descriptor: Int32
    private let closed = Mutex(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    var isClosed: Bool { closed.withLock { $0 } }

    /// Writes a whole line; false when the peer is gone, stuck (non-blocking and full) or the connection closed.
    func write(_ bytes: [UInt8], nonBlocking: Bool = false) -> Bool {
        closed.withLock { isClosed in
            guard !isClosed else { return false }
            return SocketAddress.writeAll(descriptor, bytes, flags: nonBlocking ? Int32(MSG_DONTWAIT) : 0)
        }
    }

    func close() {
        closed.withLock { isClosed in
            guard !isClosed else { return }
            isClosed = true
            shutdown(descriptor, Int32(SHUT_RDWR))
            Glibc.close(descriptor)
        }
    }
}
