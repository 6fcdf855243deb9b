import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Talks to a running instance over its control socket (blocking; for commands and start-up checks).
public enum ControlClient {
    /// Sends one request and returns the reply.
    public static func send(_ request: ControlRequest, path: String, timeoutSeconds: Int = 10) throws(ControlError) -> ControlResponse {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let connected = try SocketAddress.withUnixAddress(path) { connect(descriptor, $0, $1) }
        guard connected == 0 else { throw .notRunning(path: path) }
        SocketAddress.setTimeouts(descriptor, seconds: timeoutSeconds)
        let encoder = ControlCoding.encoder()
        guard let body = try? encoder.encode(request) else { throw .system("cannot encode the request") }
        // A refusing server answers and closes before reading: the write may fail, the reply is still there.
        _ = SocketAddress.writeAll(descriptor, Array(body) + [10])
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !received.contains(10) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 {
                if count < 0 && errno == EINTR { continue }
                throw received.isEmpty ? .notRunning(path: path) : .badReply("connection closed mid-reply")
            }
            received += buffer[0..<count]
        }
        let line = received.prefix { $0 != 10 }
        do {
            return try ControlCoding.decoder().decode(ControlResponse.self, from: Data(line))
        } catch {
            throw .badReply(String(decoding: line.prefix(200), as: UTF8.self))
        }
    }
}
