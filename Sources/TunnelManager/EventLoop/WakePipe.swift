import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking, close-on-exec pipe that wakes a thread waiting in poll or epoll: ``wake()`` from any
/// thread, ``drain()`` on the waiting one.
public final class WakePipe: Sendable {
    /// The end to wait on (readable after a wake).
    public let readDescriptor: Int32
    private let writeDescriptor: Int32

    /// Creates the pipe.
    public init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (readDescriptor, writeDescriptor) = (ends[0], ends[1])
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Makes the read end readable (a full pipe is already readable, so a failed write loses nothing).
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Empties the pipe, so the next wait sleeps until the next wake.
    public func drain() {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &buffer, { read(readDescriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}
