import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reads children's output pipes on the ``EventLoop`` thread, cuts it into lines and drops the ones the
/// caller has no use for before anything else wakes up.
///
/// ssh runs with `-v` and prints eight debug lines for every connection through its forward, so for every
/// probe. Read the usual way (a task per pipe), each burst woke the epoll thread, a worker thread and the
/// reading task, and each waiting read held a buffer the size of the pipe (64 KiB); here all children share
/// the loop's thread and a read buffer on its stack.
enum ChildOutputPump {
    /// The lines read from `descriptor` (the read end of a child's pipe, which the pump now owns and closes
    /// at end of file or when the stream's consumer goes away), without those `skip` returns true for.
    static func lines(of descriptor: Int32, skipping skip: @escaping @Sendable (String) -> Bool) -> AsyncStream<String> {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        // Bounded: a child printing faster than the actor takes lines cannot grow memory without end; under
        // such a flood the oldest waiting lines go, and the last ones (the cause of an exit) stay.
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
        let reader = Reader(descriptor: descriptor, skip: skip, continuation: continuation)
        // Closed on the loop's thread, where it is read: a descriptor closed under a read in progress could
        // be reused by the next child's pipe before that read.
        continuation.onTermination = { _ in EventLoop.shared.perform { reader.close() } }
        if !EventLoop.shared.watch(descriptor, handler: { reader.drain() }) {
            EventLoop.shared.perform { reader.close() }
            continuation.finish()
        }
        return stream
    }

    /// One pipe: its partial line and where its lines go. Used only on the loop's thread.
    private final class Reader: Sendable {
        private let descriptor: Int32
        private let skip: @Sendable (String) -> Bool
        private let continuation: AsyncStream<String>.Continuation
        /// The unfinished line, and whether the descriptor is still open.
        private let state = Mutex((splitter: LineSplitter(), open: true))

        init(descriptor: Int32, skip: @escaping @Sendable (String) -> Bool, continuation: AsyncStream<String>.Continuation) {
            self.descriptor = descriptor
            self.skip = skip
            self.continuation = continuation
        }

        /// Reads what the pipe holds and hands the wanted lines on; at end of file, ends the stream.
        func drain() {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16 * 1024) { buffer in
                while true {
                    let count = read(descriptor, buffer.baseAddress, buffer.count)
                    if count < 0 && errno == EINTR { continue }
                    if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
                    let ended = count <= 0
                    let lines = state.withLock { state -> [String] in
                        guard state.open else { return [] }
                        var lines = ended ? [] : state.splitter.split(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[0..<count])))
                        if ended, let last = state.splitter.finish() { lines.append(last) }
                        return lines
                    }
                    for line in lines where !skip(line) { continuation.yield(line) }
                    if ended {
                        close()
                        continuation.finish()
                        return
                    }
                }
            }
        }

        /// Stops watching and closes the pipe, once.
        func close() {
            let wasOpen = state.withLock { state in
                defer { state.open = false }
                return state.open
            }
            guard wasOpen else { return }
            EventLoop.shared.unwatch(descriptor)
            _ = Glibc.close(descriptor)
        }
    }
}
