import FoundationEssentials
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP service on loopback for the demo's "home-assistant" tunnel: answers every request with 200.
final class DemoHTTPService: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let server = listener.descriptor
        descriptor = server
        port = listener.port
        DetachedThread.start {
            while true {
                let client = accept(server, nil, nil)
                if client < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 2048)
                _ = recv(client, &buffer, buffer.count, 0)
                let body = "{\"name\":\"tunnel-tui demo\"}"
                let reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
    }

    /// Stops accepting.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}

