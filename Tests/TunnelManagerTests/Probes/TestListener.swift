import Foundation
import TunnelManager

/// Listens on a free loopback port and answers each connection with `reply` (after `delay`), or stays silent.
final class TestListener: Sendable {
    let port: Int
    private let descriptor: Int32

    init(reply: String?, delay: TimeInterval = 0) throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0, backlog: 16)
        let server = listener.descriptor
        descriptor = server
        port = listener.port
        Thread.detachNewThread {
            while true {
                let client = accept(server, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread {
                    var buffer = [UInt8](repeating: 0, count: 1024)
                    if let reply {
                        if reply.hasPrefix("HTTP") { _ = recv(client, &buffer, buffer.count, 0) }
                        Thread.sleep(forTimeInterval: delay)
                        _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    }
                    Thread.sleep(forTimeInterval: 3)
                    close(client)
                }
            }
        }
    }

    deinit {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}
