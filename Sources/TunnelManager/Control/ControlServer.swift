import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Serves the control socket: a Unix socket (socket 0600, in a directory only this user or root can change)
/// that only this user (and root) may use, speaking line-delimited JSON. One instance per socket, enforced by
/// an ``InstanceLock`` beside it. Clients are served from the event loop without blocking (``ControlSessions``),
/// so a malformed, oversized, slow, vanished or merely numerous client never blocks the others or the supervisor.
public final class ControlServer: Sendable {
    /// Answers one request.
    public typealias Handler = @Sendable (ControlRequest) async -> ControlResponse
    /// Makes the stream of updates a `subscribe` client receives.
    public typealias Updates = @Sendable () async -> AsyncStream<ControlResponse>

    /// The socket's path.
    public let path: String
    private let lock: InstanceLock
    private let acceptor: SocketAcceptor
    private let sessions: ControlSessions

    /// Checks the socket's directory (creating it 0700 if missing), takes the single-instance lock, replaces a
    /// stale socket file and starts serving; refuses when another instance holds the lock. `instance` is
    /// recorded in the lock for that message. With `sharedGroup` the socket is 0660 and members of that group
    /// are admitted too (the packaged daemon shares it with the `tunnel` group); otherwise it is 0600.
    public init(
        path: String, instance: ControlInstance? = nil, sharedGroup: gid_t? = nil, handler: @escaping Handler, updates: @escaping Updates
    ) throws(ControlError) {
        self.path = path
        let directory = PathComponents.parent(of: path)
        try ControlSocketDirectory.prepare(directory: directory.isEmpty ? "." : directory)
        lock = try InstanceLock(socketPath: path, instance: instance)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw .system("\(path) exists and is not a socket; remove it or choose another --socket")
            }
            unlink(path)  // stale: we hold the lock, so nobody serves it
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket: \(String(cString: strerror(errno)))") }
        let previousMask = umask(0o177)
        let bound: Int32
        do {
            bound = try SocketAddress.withUnixAddress(path) { bind(descriptor, $0, $1) }
        } catch {
            umask(previousMask)
            close(descriptor)
            throw error
        }
        umask(previousMask)
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .system("cannot listen on \(path): \(reason)")
        }
        chmod(path, sharedGroup == nil ? 0o600 : 0o660)
        if let sharedGroup, chown(path, getuid(), sharedGroup) != 0 {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(path)
            throw .system("cannot give \(path) to group \(ControlPeerPolicy.groupName(sharedGroup)): \(reason); is this user in that group?")
        }
        let sessions = ControlSessions(handler: handler, updates: updates, peers: ControlPeerPolicy(sharedGroup: sharedGroup))
        self.sessions = sessions
        acceptor = SocketAcceptor(listener: descriptor) { sessions.accept($0) }
    }

    /// Stops accepting, closes every client and removes the socket file. The single-instance lock stays held
    /// until ``releaseLock()`` (or the process ends), so no second supervisor starts while this one still
    /// ends its ssh children.
    public func stop() {
        let wasStopped = stopped.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        guard !wasStopped else { return }
        unlink(path)
        acceptor.stop()
        let sessions = self.sessions
        EventLoop.shared.perform { sessions.closeAll() }
    }

    /// Gives up the single-instance lock; call after the supervisor's children have ended.
    public func releaseLock() {
        lock.release()
    }

    private let stopped = Mutex(false)
}
