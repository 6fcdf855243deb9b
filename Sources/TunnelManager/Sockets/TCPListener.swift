import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on a numeric address (IPv4 or IPv6); port 0 picks a free one.
public struct TCPListener: Sendable {
    /// The listening descriptor (close-on-exec).
    public let descriptor: Int32
    /// The port it listens on.
    public let port: Int

    /// Why the socket could not listen.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Binds `host:port` ("localhost" means 127.0.0.1) and listens with `backlog`.
    public init(host: String, port: Int, backlog: Int32 = 64) throws(Failure) {
        let address = host == "localhost" ? "127.0.0.1" : host
        let ipv6 = address.contains(":")
        let descriptor = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { socketAddress in
                    socketAddress.pointee.sin6_family = sa_family_t(AF_INET6)
                    socketAddress.pointee.sin6_port = UInt16(port).bigEndian
                    inet_pton(AF_INET6, address, &socketAddress.pointee.sin6_addr)
                }
            }
        } else {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { socketAddress in
                    socketAddress.pointee.sin_family = sa_family_t(AF_INET)
                    socketAddress.pointee.sin_port = UInt16(port).bigEndian
                    inet_pton(AF_INET, address, &socketAddress.pointee.sin_addr)
                }
            }
        }
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw Failure(description: "cannot listen on \(host):\(port): \(reason)")
        }
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        let boundPort = withUnsafePointer(to: &storage) { pointer -> UInt16 in
            ipv6 ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: boundPort))
    }

    /// Stops listening.
    public func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
    }
}
