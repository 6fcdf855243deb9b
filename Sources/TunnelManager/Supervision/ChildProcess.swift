import FoundationEssentials
import CSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A spawned child: waits for its exit on the ``EventLoop`` (a pidfd, so nothing wakes while it runs),
/// reaps it, and ends it on request (SIGTERM to its process group, SIGKILL after a grace).
///
/// Only this type reaps the child, and signals are sent from the loop's thread before it is reaped, so a
/// signal can never reach a process that merely reused the pid.
final class ChildProcess: Sendable {
    /// Why a spawn failed, in words.
    struct SpawnFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The child's pid, which is also its process group and session (it leads a new session).
    let pid: Int32

    private struct State {
        var exit: ChildExit?
        var waiters: [CheckedContinuation<ChildExit, Never>] = []
        var pidDescriptor: Int32 = -1
    }

    private let state = Mutex(State())

    private init(pid: Int32) {
        self.pid = pid
    }

    // MARK: - Spawning (on the loop's thread)

    /// Spawns `argv` (argv[0] included) at `path` with stdout and stderr on `output`; call on the loop's
    /// thread, which lives as long as the process (the parent-death signal is tied to the spawning thread).
    ///
    /// The child gets `parentDeathSignal` (0: none) and, right after, checks that its parent is still
    /// `expectedParent` (default: this process): a supervisor killed while spawning leaves no orphan.
    static func spawn(
        path: String, argv: [String], output: Int32, parentDeathSignal: Int32 = SIGKILL,
        expectedParent: pid_t = getpid(), usePidfd: Bool = true
    ) -> Result<ChildProcess, SpawnFailure> {
        let arguments = argv.map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            arguments.forEach { free($0) }
            environment.forEach { free($0) }
        }
        let pid = tt_spawn(path, arguments, environment, output, parentDeathSignal, expectedParent)
        guard pid > 0 else {
            let reason = -pid == TT_SPAWN_PARENT_GONE
                ? "the supervisor (pid \(expectedParent)) was gone before the child could be tied to it"
                : String(cString: strerror(-pid))
            return .failure(SpawnFailure(description: "\(path): \(reason)"))
        }
        let child = ChildProcess(pid: pid)
        child.watchExit(usePidfd: usePidfd)
        return .success(child)
    }

    /// `pidfd_open` (glibc 2.36+, Linux 5.3+).
    private static let pidfdOpen = LibraryFunction.named("pidfd_open", as: (@convention(c) (pid_t, UInt32) -> Int32).self)

    // MARK: - Exit

    /// Waits until the child has exited and been reaped; not cut short by cancellation.
    func exit() async -> ChildExit {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> ChildExit? in
                if state.exit == nil { state.waiters.append(continuation) }
                return state.exit
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Watches the pidfd (readable once the child has exited); without pidfd, checks four times a second.
    private func watchExit(usePidfd: Bool) {
        if usePidfd, let descriptor = Self.pidfdOpen?(pid, 0), descriptor >= 0 {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            state.withLock { $0.pidDescriptor = descriptor }
            if EventLoop.shared.watch(descriptor, handler: { [self] in reap() }) { return }
            state.withLock { $0.pidDescriptor = -1 }
            close(descriptor)
        }
        pollExit()
    }

    private func pollExit() {
        EventLoop.shared.schedule(at: .now + .milliseconds(250)) { [self] in
            if !reap() { pollExit() }
        }
    }

    /// Reaps the child if it has exited; true once it has. Runs on the loop's thread.
    @discardableResult
    private func reap() -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == 0 || (result < 0 && errno == EINTR) { return false }
        let exit: ChildExit
        if result < 0 {
            exit = .launchFailed("lost track of pid \(pid): \(String(cString: strerror(errno)))")
        } else if status & 0x7f == 0 {
            exit = .exited((status >> 8) & 0xff)
        } else {
            exit = .signaled(status & 0x7f)
        }
        let (waiters, descriptor) = state.withLock { state in
            state.exit = exit
            defer {
                state.waiters = []
                state.pidDescriptor = -1
            }
            return (state.waiters, state.pidDescriptor)
        }
        if descriptor >= 0 {
            EventLoop.shared.unwatch(descriptor)
            close(descriptor)
        }
        for waiter in waiters { waiter.resume(returning: exit) }
        return true
    }

    // MARK: - Ending it

    /// SIGTERM to the child's process group now, SIGKILL after `grace` if it is still there.
    func terminate(grace: Duration) {
        EventLoop.shared.perform { [self] in
            signalGroup(SIGTERM)
            EventLoop.shared.schedule(at: .now + grace) { [self] in signalGroup(SIGKILL) }
        }
    }

    /// Runs on the loop's thread, where the child is reaped, so the pid cannot have been reused.
    private func signalGroup(_ signal: Int32) {
        guard state.withLock({ $0.exit == nil }) else { return }
        if kill(-pid, signal) != 0 { kill(pid, signal) }
    }
}
