import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A `subscribe` connection: every change of the remote instance arrives as a full snapshot.
public final class ControlSubscription: Sendable {
    /// Snapshots as they arrive; the stream ends when the instance goes away or ``close()`` is called.
    public let updates: AsyncStream<ControlResponse>
    private let descriptor: Int32
    /// Whether ``close()`` ran; the reading thread closes the descriptor itself, so it is never reused under it.
    private let closed = SharedValue(false)

    /// Connects and subscribes; throws when nothing answers (within `timeoutSeconds`) or the socket's directory is unsafe.
    public init(path: String, timeoutSeconds: Int = 10) throws(ControlError) {
        let descriptor = try ControlClient.connect(path: path, timeoutSeconds: timeoutSeconds)
        self.descriptor = descriptor
        guard let request = try? ControlCoding.encoder().encode(ControlRequest.subscribe),
              SocketAddress.writeAll(descriptor, Array(request) + [10])
        else {
            Glibc.close(descriptor)
            throw .notRunning(path: path)
        }
        // Updates come when something changes, which may be a long while: no receive timeout from here on.
        var forever = timeval(tv_sec: 0, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &forever, socklen_t(MemoryLayout<timeval>.size))
        let (stream, continuation) = AsyncStream<ControlResponse>.makeStream(bufferingPolicy: .bufferingNewest(4))
        updates = stream
        let closed = self.closed
        DetachedThread.start {
            let decoder = ControlCoding.decoder()
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !closed.value {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 10) {
                    if let reply = try? decoder.decode(ControlResponse.self, from: Data(pending[..<newline])) {
                        continuation.yield(reply)
                    }
                    pending.removeSubrange(...newline)
                }
            }
            Glibc.close(descriptor)
            continuation.finish()
        }
    }

    /// Ends the subscription (the reading thread wakes, closes the socket and ends ``updates``).
    public func close() {
        var first = false
        closed.update { value in
            first = !value
            value = true
        }
        if first { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }
}
