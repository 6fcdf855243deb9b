import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Makes one supervisor per control socket a lock rather than the presence of a socket: `flock` on a file
/// beside the socket (`control.sock.lock`, 0600, opened without following links, close-on-exec so no ssh child
/// inherits it), held until the process ends or ``release()``, holding the owner's pid, mode and config.
/// A stopped (SIGSTOP) or socketless first instance still holds it, so a second one refuses.
final class InstanceLock: Sendable {
    /// The lock file.
    let path: String
    private let descriptor: Mutex<Int32>

    /// Takes the lock for the socket at `socketPath` and records `instance` in it; throws
    /// ``ControlError/alreadyRunning(path:instance:)`` naming the holder when another process has it.
    init(socketPath: String, instance: ControlInstance?) throws(ControlError) {
        path = socketPath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .system("cannot open the lock file \(path): \(String(cString: strerror(errno))); remove it if it is not a regular file of yours")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            if reason == EWOULDBLOCK { throw .alreadyRunning(path: socketPath, instance: holder) }
            throw .system("cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        self.descriptor = Mutex(descriptor)
        if let instance, let data = try? ControlCoding.encoder().encode(instance) {
            let bytes = Array(data) + [10]
            _ = ftruncate(descriptor, 0)
            _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    deinit {
        release()
    }

    /// Gives the lock up (the file stays: removing it would let two processes lock two different files).
    func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            close(descriptor)
            descriptor = -1
        }
    }

    /// Who holds the lock, as it wrote itself into the file.
    private static func holder(_ descriptor: Int32) -> ControlInstance? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return try? ControlCoding.decoder().decode(ControlInstance.self, from: Data(buffer[0..<count].prefix { $0 != 10 }))
    }
}
