import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `subscribe` connection: every change of the remote instance arrives as a full snapshot.
public final class ControlSubscription: Sendable {
    /// Snapshots as they arrive; the stream ends when the instance goes away or ``close()`` is called.
    public let updates: AsyncStream<ControlResponse>
    private let connection: ControlConnection

    /// Connects and subscribes; throws when nothing answers.
    public init(path: String) throws(ControlError) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket: \(String(cString: strerror(errno)))") }
        let connected = try SocketAddress.withUnixAddress(path) { connect(descriptor, $0, $1) }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw .notRunning(path: path)
        }
        let connection = ControlConnection(descriptor: descriptor)
        self.connection = connection
        guard let request = try? ControlCoding.encoder().encode(ControlRequest(command: "subscribe")),
              connection.write(Array(request) + [10])
        else {
            connection.close()
            throw .notRunning(path: path)
        }
        let (stream, continuation) = AsyncStream<ControlResponse>.makeStream(bufferingPolicy: .bufferingNewest(4))
        updates = stream
        Thread.detachNewThread {
            let decoder = ControlCoding.decoder()
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !connection.isClosed {
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
            connection.close()
            continuation.finish()
        }
    }

    /// Ends the subscription.
    public func close() {
        connection.close()
    }
}
