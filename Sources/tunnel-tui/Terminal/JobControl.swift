import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-Z done the way htop and btop do it: the terminal is handed back before the program stops, and taken
/// again after `fg`.
///
/// In raw mode the terminal sends no SIGTSTP for Ctrl-Z; it arrives as a key. A SIGTSTP from outside
/// (`kill -TSTP`) would stop the program with the terminal still raw, so while the dashboard runs, SIGTSTP only
/// writes a byte into a pipe the UI thread waits on, and the UI thread suspends itself. SIGINT, SIGTERM and
/// SIGHUP stay with ``TerminationSignals``.
enum JobControl {
    /// The pipe a caught SIGTSTP writes to, made once: non-blocking and close-on-exec at both ends.
    private static let requestPipe: (read: Int32, write: Int32) = {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }()
    /// The pipe end the SIGTSTP handler writes to (-1: none). An atomic, so the handler reads it without a lock.
    private static let requestDescriptor = Atomic<Int32>(-1)
    /// What SIGTSTP did before ``catchStopRequests()``, put back by ``releaseStopRequests()``.
    private static let previousHandler = Mutex<__sighandler_t?>(nil)

    /// From now on a SIGTSTP writes to a pipe instead of stopping the program; returns the pipe's end to poll
    /// (readable once one arrived, see ``takeStopRequest()``). Called before `initscr`, so ncurses (which
    /// installs its own handler only over the default one) stays out.
    static func catchStopRequests() -> Int32 {
        requestDescriptor.store(requestPipe.write, ordering: .sequentiallyConsistent)
        let previous = signal(SIGTSTP) { _ in
            // Async-signal-safe: an atomic load (initialised above, before the handler existed) and write(2),
            // keeping the interrupted code's errno.
            let savedErrno = errno
            let descriptor = JobControl.requestDescriptor.load(ordering: .sequentiallyConsistent)
            guard descriptor >= 0 else { return }
            var byte: UInt8 = 26
            _ = write(descriptor, &byte, 1)
            errno = savedErrno
        }
        previousHandler.withLock { $0 = previous }
        return requestPipe.read
    }

    /// Whether a SIGTSTP arrived since the last call (it empties the pipe).
    static func takeStopRequest() -> Bool {
        var buffer = (UInt64(0), UInt64(0))
        var arrived = false
        while withUnsafeMutableBytes(of: &buffer, { read(requestPipe.read, $0.baseAddress, $0.count) }) > 0 { arrived = true }
        return arrived
    }

    /// SIGTSTP does again what it did before ``catchStopRequests()`` (usually: stop the program).
    static func releaseStopRequests() {
        signal(SIGTSTP, previousHandler.withLock { $0 } ?? SIG_DFL)
        requestDescriptor.store(-1, ordering: .sequentiallyConsistent)
    }

    /// Stops the program's whole job, as the terminal's Ctrl-Z would, and returns once it is continued
    /// (`fg`, `bg`, SIGCONT).
    ///
    /// The signal goes to the process group (`kill(0, SIGTSTP)`), so a shell sees its job stop and gives the
    /// prompt back; the ssh children run in their own sessions and keep running. When nobody could continue
    /// the program (its process group is orphaned: it runs directly as a tmux pane's command, or under a shell
    /// without job control), the kernel discards SIGTSTP and this returns at once, so the dashboard never
    /// stops where it could not come back from.
    static func stopJob() {
        let previous = signal(SIGTSTP, SIG_DFL)
        var stop = sigset_t()
        sigemptyset(&stop)
        sigaddset(&stop, SIGTSTP)
        var mask = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &stop, &mask)
        kill(0, SIGTSTP)
        pthread_sigmask(SIG_SETMASK, &mask, nil)
        signal(SIGTSTP, previous)
    }
}
