#if canImport(Glibc)
import Glibc
#endif

/// `/metrics` over HTTP, served from the event loop without blocking: any number of idle or slow connections
/// (up to ``maximumClients``) never delay a scrape. One GET per connection, one reply, then close.
final class MetricsEndpoint: Sendable {
    /// Most connections served at once; one more is closed at once.
    static let maximumClients = 64
    /// A connection that has not sent its request line within this is closed.
    static let requestTimeout: Duration = .seconds(5)
    /// Longest request head read.
    static let maximumRequestBytes = 8192

    private let acceptor: SocketAcceptor
    /// Touched on the loop's thread only.
    private let connections: SharedValue<[Int32: SocketConnection]>

    /// Serves `listener`; `exposition` makes the body (called on a task, never on the loop's thread).
    init(listener: Int32, loop: EventLoop = .shared, exposition: @escaping @Sendable () async -> String) {
        let connections = SharedValue<[Int32: SocketConnection]>([:])
        self.connections = connections
        acceptor = SocketAcceptor(listener: listener, loop: loop) { descriptor in
            guard connections.value.count < Self.maximumClients else {
                close(descriptor)
                return
            }
            let connection = SocketConnection(descriptor: descriptor, loop: loop, idleTimeout: Self.requestTimeout, stallTimeout: .seconds(30)) {
                Self.serve($0, loop: loop, exposition: exposition)
            }
            connection.onClose.append { connections.update { _ = $0.removeValue(forKey: descriptor) } }
            connections.update { $0[descriptor] = connection }
            connection.start()
        }
    }

    /// Stops accepting and closes every connection.
    func stop() {
        acceptor.stop()
        let connections = self.connections
        EventLoop.shared.perform {
            for connection in connections.value.values { connection.close() }
        }
    }

    private static func serve(_ connection: SocketConnection, loop: EventLoop, exposition: @escaping @Sendable () async -> String) {
        guard !connection.isBusy else { return }
        guard let end = connection.input.firstIndex(of: 10) else {
            if connection.input.count > maximumRequestBytes { connection.finish() }
            return
        }
        let requestLine = String(decoding: connection.input[..<end].prefix { $0 != 13 }, as: UTF8.self)
        connection.input = []
        guard requestLine.hasPrefix("GET /metrics ") || requestLine == "GET /metrics" else {
            connection.send(Array("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 22\r\nConnection: close\r\n\r\nonly /metrics is here\n".utf8))
            connection.finish()
            return
        }
        connection.isBusy = true
        Task {
            let body = await exposition()
            let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            loop.schedule(at: .now) {
                guard !connection.isClosed else { return }
                connection.send(Array(reply.utf8))
                connection.finish()
                connection.isBusy = false
            }
        }
    }
}
