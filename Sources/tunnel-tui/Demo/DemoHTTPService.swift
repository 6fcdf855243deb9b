import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP service on loopback for the demo's "home-assistant" tunnel: answers every request with 200.
final class DemoHTTPService: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(server, 64) == 0 else {
            close(server)
            throw DemoError(description: "cannot open the demo HTTP service: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server, $0, &length) }
        }
        descriptor = server
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
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

/// Why the demo could not start.
struct DemoError: Error, CustomStringConvertible {
    let description: String
}
