#if canImport(Glibc)
import Glibc
#endif

/// Why the kernel's keepalive could not be armed on an ssh connection; the tunnel still runs, found dead
/// by ssh's own keepalive and the probes instead.
public enum KernelKeepaliveError: Error, Equatable, CustomStringConvertible {
    /// The process has no established TCP connection to the server's port (yet, or any more).
    case noServerConnection(pid: Int32, serverPort: Int)
    /// The pid no longer belongs to a child of this process.
    case notOurChild(Int32)
    /// The system lacks what is needed.
    case unsupported(String)
    /// A system call failed with `errno`.
    case system(String, Int32)

    public var description: String {
        switch self {
        case .noServerConnection(let pid, let port):
            return "ssh (pid \(pid)) has no established connection to port \(port); kernel keepalive not armed"
        case .notOurChild(let pid):
            return "pid \(pid) is no longer our ssh; kernel keepalive not armed"
        case .unsupported(let what):
            return "kernel keepalive unavailable: \(what); dead connections are found by ssh's keepalive and the probes"
        case .system(let call, let code):
            let hint = code == EPERM
                ? " (a seccomp filter or ptrace policy forbids it; allow pidfd_getfd, or set tcp_timeout = \"0s\")" : ""
            return "kernel keepalive: \(call) failed: \(String(cString: strerror(code)))\(hint)"
        }
    }
}
