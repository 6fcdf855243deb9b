import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Serves the control socket: a Unix socket (directory 0700, socket 0600) that only this user (and root)
/// may use, speaking line-delimited JSON. Each client gets its own thread, so a malformed, oversized, slow or
/// vanished client never blocks the others or the supervisor; `subscribe` streams are written without
/// blocking, and a client that stops reading is dropped.
public final class ControlServer: Sendable {
    /// Answers one request.
    public typealias Handler = @Sendable (ControlRequest) async -> ControlResponse
    /// Makes the stream of updates a `subscribe` client receives.
    public typealias Updates = @Sendable () async -> AsyncStream<ControlResponse>

    /// The socket's path.
    public let path: String
    private let handler: Handler
    private let updates: Updates
    private let listener: Int32
    private let stopped = Mutex(false)

    /// Binds the socket and starts accepting; refuses when another instance answers on `path`.
    public init(path: String, handler: @escaping Handler, updates: @escaping Updates) throws(ControlError) {
        self.path = path
        self.handler = handler
        self.updates = updates
        let directory = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw .system("cannot create \(directory): \(String(cString: strerror(errno)))")
            }
        }
        var status = stat()
        if stat(directory, &status) == 0, status.st_uid == getuid() {
            chmod(directory, 0o700)
        }
        if FileManager.default.fileExists(atPath: path) {
            if let reply = try? ControlClient.send(ControlRequest(command: "status"), path: path, timeoutSeconds: 2) {
                throw .alreadyRunning(path: path, instance: reply.instance)
            }
            unlink(path)  // stale: nothing answers
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket: \(String(cString: strerror(errno)))") }
        let previousMask = umask(0o177)
        let bound = try SocketAddress.withUnixAddress(path) { bind(descriptor, $0, $1) }
        umask(previousMask)
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .system("cannot listen on \(path): \(reason)")
        }
        chmod(path, 0o600)
        listener = descriptor
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting and removes the socket file.
    public func stop() {
        let wasStopped = stopped.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard Self.peerIsAllowed(client) else {
                _ = SocketAddress.writeAll(client, Self.encode(.failure("refused: the control socket serves only uid \(getuid())")))
                close(client)
                continue
            }
            SocketAddress.setTimeouts(client, seconds: 5)
            let connection = ControlConnection(descriptor: client)
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    /// Only the same user, or root, may talk to the supervisor.
    static func peerIsAllowed(_ descriptor: Int32) -> Bool {
        // struct ucred from <sys/socket.h> (needs _GNU_SOURCE, which the Glibc module does not set).
        struct PeerCredentials {
            var pid: Int32 = 0
            var uid: UInt32 = 0
            var gid: UInt32 = 0
        }
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return false }
        return credentials.uid == getuid() || credentials.uid == 0
    }

    private func serve(_ connection: ControlConnection) {
        defer { connection.close() }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !connection.isClosed {
            let count = recv(connection.descriptor, &buffer, buffer.count, 0)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }  // EAGAIN: receive timeout, keep waiting
            if count <= 0 { return }
            pending += buffer[0..<count]
            while let newline = pending.firstIndex(of: 10) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                guard connection.write(Self.encode(respond(to: line, connection: connection))) else { return }
            }
            if pending.count > ControlProtocol.maximumRequestBytes {
                _ = connection.write(Self.encode(.failure("request larger than \(ControlProtocol.maximumRequestBytes) bytes")))
                return
            }
        }
    }

    private func respond(to line: [UInt8], connection: ControlConnection) -> ControlResponse {
        guard let request = try? ControlCoding.decoder().decode(ControlRequest.self, from: Data(line)) else {
            return .failure("malformed request: expected one JSON object per line, e.g. {\"version\":1,\"command\":\"status\"}")
        }
        guard request.version == ControlProtocol.version else {
            return .failure("protocol version \(request.version) not supported (this instance speaks \(ControlProtocol.version))")
        }
        guard ControlProtocol.commands.contains(request.command) else {
            return .failure("unknown command \"\(request.command)\"; known: \(ControlProtocol.commands.joined(separator: ", "))")
        }
        let handler = self.handler
        let reply = Self.waitFor { await handler(request) }
        if request.command == "subscribe" && reply.ok {
            let updates = self.updates
            Task {
                for await update in await updates() {
                    // Never block the supervisor on a client: a full socket buffer drops the client.
                    guard connection.write(Self.encode(update), nonBlocking: true) else {
                        connection.close()
                        return
                    }
                }
            }
        }
        return reply
    }

    /// Runs async work from this client's own thread (never a cooperative one) and waits for it.
    private static func waitFor(_ work: @escaping @Sendable () async -> ControlResponse) -> ControlResponse {
        let result = SharedValue(ControlResponse.failure("no reply"))
        let done = DispatchSemaphore(value: 0)
        Task {
            let reply = await work()
            result.update { $0 = reply }
            done.signal()
        }
        done.wait()
        return result.value
    }

    static func encode(_ response: ControlResponse) -> [UInt8] {
        ((try? ControlCoding.encoder().encode(response)).map(Array.init) ?? Array("{\"ok\":false}".utf8)) + [10]
    }
}
