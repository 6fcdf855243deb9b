import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections on a listening socket from the event loop, without blocking, and hands each one over
/// (non-blocking, close-on-exec). Out of descriptors (EMFILE, ENFILE), it pauses for a moment and tries again,
/// so the listener survives a flood and serves again as soon as descriptors are free.
final class SocketAcceptor: Sendable {
    /// How long accepting pauses when the process or the system is out of descriptors.
    static let pauseWhenOutOfDescriptors: Duration = .milliseconds(200)

    private let listener: Int32
    private let loop: EventLoop
    private let onAccept: @Sendable (Int32) -> Void
    private struct State {
        var watching = false
        var stopped = false
    }
    private let state = Mutex(State())

    /// Watches `listener` (which it makes non-blocking and owns from now on); `onAccept` runs on the loop's thread.
    init(listener: Int32, loop: EventLoop = .shared, onAccept: @escaping @Sendable (Int32) -> Void) {
        self.listener = listener
        self.loop = loop
        self.onAccept = onAccept
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        loop.perform { [self] in resume() }
    }

    /// Stops accepting and closes the listener (on the loop's thread, so no accept races the close).
    func stop() {
        loop.perform { [self] in
            let (watching, alreadyStopped) = state.withLock { state -> (Bool, Bool) in
                defer { state = State(watching: false, stopped: true) }
                return (state.watching, state.stopped)
            }
            guard !alreadyStopped else { return }
            if watching { loop.unwatch(listener) }
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private func resume() {
        let start = state.withLock { state -> Bool in
            guard !state.stopped, !state.watching else { return false }
            state.watching = true
            return true
        }
        if start { loop.watch(listener) { [self] in acceptAll() } }
    }

    private func acceptAll() {
        // At most a batch per wake, so a flood of connections cannot starve the loop's other work.
        for _ in 0..<64 {
            guard !state.withLock({ $0.stopped }) else { return }
            let client = accept(listener, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                onAccept(client)
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // The pending connection stays in the backlog; stop the level-triggered wake-ups until later.
                state.withLock { $0.watching = false }
                loop.unwatch(listener)
                loop.schedule(at: .now + Self.pauseWhenOutOfDescriptors) { [self] in resume() }
                return
            default:
                return  // EAGAIN: nothing more to accept
            }
        }
    }
}
