#if canImport(Glibc)
import Glibc
#endif

/// One client of a socket served from the event loop: what it sent so far, what it has yet to receive
/// (``OutgoingLines``), and the deadlines that end a silent or stuck client. Reads and writes never block;
/// while a request is with its handler (``isBusy``) nothing more is read, so replies keep their order.
///
/// `@unchecked Sendable`: every property is read and written on the event loop's thread only (watch handlers,
/// timers and `perform` blocks all run there); other threads hand work over with `EventLoop.perform`.
final class SocketConnection: @unchecked Sendable {
    /// The connected descriptor (non-blocking, close-on-exec).
    let descriptor: Int32
    /// Received bytes not yet consumed by ``onInput``.
    var input: [UInt8] = []
    /// Lines still to send.
    private(set) var output = OutgoingLines()
    /// A request is being answered: read nothing more until the reply is queued.
    var isBusy = false {
        didSet {
            if !isBusy && output.isEmpty && !input.isEmpty { deliverInput() }
            refresh()
        }
    }
    /// A subscriber may stay silent for ever while nothing is queued for it.
    var isStreaming = false
    /// Work to cancel when the connection closes (a subscription's task).
    var onClose: [@Sendable () -> Void] = []
    private(set) var isClosed = false

    private let loop: EventLoop
    private let idleTimeout: Duration
    private let stallTimeout: Duration
    private let onInput: (SocketConnection) -> Void
    private var closeWhenFlushed = false
    private var handlingInput = false
    private var watching: Epoll.Interest?
    private var timer: EventLoop.TimerID?
    private var lastActivity = ContinuousClock.now
    private var lastProgress = ContinuousClock.now

    /// Takes over `descriptor`. `onInput` runs on the loop's thread whenever bytes arrive (and after a reply,
    /// for requests that came together); a silent client is closed after `idleTimeout`, one that does not
    /// take what it is sent after `stallTimeout`.
    init(descriptor: Int32, loop: EventLoop = .shared, idleTimeout: Duration, stallTimeout: Duration, onInput: @escaping (SocketConnection) -> Void) {
        self.descriptor = descriptor
        self.loop = loop
        self.idleTimeout = idleTimeout
        self.stallTimeout = stallTimeout
        self.onInput = onInput
    }

    /// Starts reading (call on the loop's thread).
    func start() {
        refresh()
    }

    /// Queues a line that must arrive, and sends what it can now.
    func send(_ line: [UInt8]) {
        guard !isClosed else { return }
        output.append(line)
        flush()
    }

    /// Queues the newest snapshot in place of an older one not yet started, and sends what it can now.
    func sendLatest(_ line: [UInt8]) {
        guard !isClosed else { return }
        output.replaceLatest(line)
        flush()
    }

    /// Sends what is queued, then closes.
    func finish() {
        closeWhenFlushed = true
        input = []
        flush()
    }

    /// Closes at once.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if watching != nil { loop.unwatch(descriptor) }
        watching = nil
        if let timer { loop.cancel(timer) }
        timer = nil
        Glibc.close(descriptor)
        let actions = onClose
        onClose = []
        for action in actions { action() }
    }

    private func readable() {
        var buffer = [UInt8](repeating: 0, count: 16384)
        // One buffer per wake: a chatty client cannot hold the loop.
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
        guard count > 0 else { return close() }
        lastActivity = .now
        input += buffer[0..<count]
        deliverInput()
        refresh()
    }

    /// Hands the input to ``onInput``, never re-entering it (a reply sent from inside it flushes at once).
    private func deliverInput() {
        guard !handlingInput, !isClosed else { return }
        handlingInput = true
        onInput(self)
        handlingInput = false
    }

    private func flush() {
        while !isClosed {
            let chunk = output.next()
            if chunk.isEmpty { break }
            let written = chunk.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                return close()
            }
            output.consume(written)
            lastProgress = .now
        }
        guard !isClosed else { return }
        if output.isEmpty && closeWhenFlushed { return close() }
        if output.isEmpty && !isBusy && !input.isEmpty { deliverInput() }
        refresh()
    }

    /// Watches for what the connection waits on now: room to write, a request, or (busy) nothing.
    private func refresh() {
        guard !isClosed else { return }
        let wanted: Epoll.Interest? = !output.isEmpty ? .writable : (isBusy || closeWhenFlushed ? nil : .readable)
        if wanted != watching {
            if watching != nil { loop.unwatch(descriptor) }
            watching = wanted
            if let wanted {
                loop.watch(descriptor, for: wanted) { [self] in
                    if watching == .writable { flush() } else { readable() }
                }
            }
        }
        if timer == nil, let deadline { timer = loop.schedule(at: deadline) { [self] in expire() } }
    }

    /// When the connection should be given up, if nothing happens before.
    private var deadline: ContinuousClock.Instant? {
        if !output.isEmpty { return lastProgress + stallTimeout }
        if isBusy || isStreaming { return nil }
        return lastActivity + idleTimeout
    }

    private func expire() {
        timer = nil
        guard !isClosed, let deadline else { return }
        if deadline <= .now { return close() }
        timer = loop.schedule(at: deadline) { [self] in expire() }
    }
}
