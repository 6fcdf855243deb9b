import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Talks to a running instance over its control socket (blocking; for commands and start-up checks). Every
/// step (connect, write, read) is bounded by `timeoutSeconds` in all, so a stopped or swamped instance makes
/// `status` fail with a message instead of hanging.
public enum ControlClient {
    /// Sends one request and returns the reply.
    public static func send(_ request: ControlRequest, path: String, timeoutSeconds: Int = 10) throws(ControlError) -> ControlResponse {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        let descriptor = try connect(path: path, timeoutSeconds: timeoutSeconds)
        defer { close(descriptor) }
        let encoder = ControlCoding.encoder()
        guard let body = try? encoder.encode(request) else { throw .system("cannot encode the request") }
        // A refusing server answers and closes before reading: the write may fail, the reply is still there.
        _ = SocketAddress.writeAll(descriptor, Array(body) + [10])
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !received.contains(10) {
            guard ContinuousClock.now < deadline else { throw .noAnswer(path: path, seconds: timeoutSeconds) }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .noAnswer(path: path, seconds: timeoutSeconds) }
            if count <= 0 {
                throw received.isEmpty ? .notRunning(path: path) : .badReply("connection closed mid-reply")
            }
            received += buffer[0..<count]
        }
        return try decodeReply(Array(received.prefix { $0 != 10 }), path: path)
    }

    /// Decodes one reply line; one of another protocol version is a ``ControlError/versionMismatch(path:theirs:instance:)``
    /// that names the instance when the line says who it is.
    static func decodeReply(_ line: [UInt8], path: String) throws(ControlError) -> ControlResponse {
        do {
            return try ControlCoding.decoder().decode(ControlResponse.self, from: Data(line))
        } catch ControlProtocolError.unsupportedVersion(let theirs) {
            struct Sender: Decodable { var instance: ControlInstance? }
            let instance = (try? ControlCoding.decoder().decode(Sender.self, from: Data(line)))?.instance
            throw .versionMismatch(path: path, theirs: theirs, instance: instance)
        } catch {
            throw .badReply(String(decoding: line.prefix(200), as: UTF8.self))
        }
    }

    /// Checks the socket's directory and connects, with send and receive timeouts set (a Unix socket's connect
    /// waits for room in a full backlog only as long as the send timeout). Returns a close-on-exec descriptor.
    static func connect(path: String, timeoutSeconds: Int) throws(ControlError) -> Int32 {
        var info = stat()
        let directory = PathComponents.parent(of: path)
        if lstat(directory.isEmpty ? "." : directory, &info) != 0 && errno == ENOENT { throw .notRunning(path: path) }
        try ControlSocketDirectory.check(socketPath: path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket: \(String(cString: strerror(errno)))") }
        SocketAddress.setTimeouts(descriptor, seconds: timeoutSeconds)
        let connected: Int32
        do {
            connected = try SocketAddress.withUnixAddress(path) { Glibc.connect(descriptor, $0, $1) }
        } catch {
            close(descriptor)
            throw error
        }
        guard connected == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EAGAIN || reason == EINPROGRESS || reason == ETIMEDOUT { throw .noAnswer(path: path, seconds: timeoutSeconds) }
            throw .notRunning(path: path)
        }
        return descriptor
    }
}
