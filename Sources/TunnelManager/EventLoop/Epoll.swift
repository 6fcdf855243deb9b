#if canImport(Glibc)
import Glibc
#endif

/// Linux epoll, which the Swift Glibc module does not export: the three calls are looked up in libc
/// (``LibraryFunction``), and `struct epoll_event` is read and written by hand (packed to 12 bytes on
/// x86-64, 16 bytes elsewhere).
///
/// The event loop first used poll(2); with 50 tunnels its 100 descriptors (pipes and pidfds) were handed
/// to the kernel on every wake-up, which was a third of the loop thread's time.
struct Epoll: Sendable {
    private typealias Create = @convention(c) (Int32) -> Int32
    private typealias Control = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias Wait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    private static let create = LibraryFunction.named("epoll_create1", as: Create.self)
    private static let control = LibraryFunction.named("epoll_ctl", as: Control.self)
    private static let waitFor = LibraryFunction.named("epoll_wait", as: Wait.self)

    #if arch(x86_64)
    static let eventSize = 12
    private static let dataOffset = 4
    #else
    static let eventSize = 16
    private static let dataOffset = 8
    #endif
    /// What a descriptor is watched for.
    enum Interest: UInt32, Sendable {
        /// Data to read, end of file, hang-up or error (EPOLLIN).
        case readable = 0x001
        /// Room to write, a finished connect, or an error (EPOLLOUT).
        case writable = 0x004
    }

    private static let closeOnExec: Int32 = 0o2000000  // EPOLL_CLOEXEC
    private enum Operation: Int32 {
        case add = 1, remove = 2
    }

    /// The epoll instance.
    let descriptor: Int32
    private let control: Control
    private let waitFor: Wait

    /// A new epoll instance; nil if the kernel or libc has none.
    init?() {
        guard let create = Self.create, let control = Self.control, let waitFor = Self.waitFor else { return nil }
        descriptor = create(Self.closeOnExec)
        guard descriptor >= 0 else { return nil }
        self.control = control
        self.waitFor = waitFor
    }

    /// Reports `fd` when it is ready for `interest` (or hung up, or in error), until ``remove(_:)``.
    @discardableResult
    func add(_ fd: Int32, for interest: Interest = .readable) -> Bool {
        change(.add, fd, interest)
    }

    /// Stops reporting `fd`.
    func remove(_ fd: Int32) {
        _ = change(.remove, fd, .readable)
    }

    private func change(_ operation: Operation, _ fd: Int32, _ interest: Interest) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: Self.eventSize, alignment: 8) { event in
            event.storeBytes(of: interest.rawValue, toByteOffset: 0, as: UInt32.self)
            event.storeBytes(of: UInt64(UInt32(bitPattern: fd)), toByteOffset: Self.dataOffset, as: UInt64.self)
            return control(descriptor, operation.rawValue, fd, event.baseAddress) == 0
        }
    }

    /// Waits up to `timeout` ms (-1: no limit) and returns the ready descriptors; `events` is scratch space
    /// for a multiple of ``eventSize`` bytes.
    func wait(events: UnsafeMutableRawBufferPointer, timeout: Int32) -> [Int32] {
        let count = waitFor(descriptor, events.baseAddress, Int32(events.count / Self.eventSize), timeout)
        guard count > 0 else { return [] }
        return (0..<Int(count)).map { index in
            Int32(truncatingIfNeeded: events.loadUnaligned(fromByteOffset: index * Self.eventSize + Self.dataOffset, as: UInt64.self))
        }
    }
}
