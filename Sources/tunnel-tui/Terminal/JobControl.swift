import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-Z done the way htop and btop do it: the terminal is handed back before the program stops, and taken
/// again after `fg`.
///
/// In raw mode the terminal sends no SIGTSTP for Ctrl-Z; it arrives as a key. A SIGTSTP from outside
/// (`kill -TSTP`) would stop the program with the terminal still raw, so while the dashboard runs, SIGTSTP only
/// writes a byte into a pipe the UI thread waits on, and the UI thread suspends itself. SIGCONT writes one too:
/// after a stop the program did not ask for (SIGSTOP), the shell has put the terminal back in cooked mode, so
/// the UI thread takes it back. SIGINT, SIGTERM and SIGHUP stay with ``TerminationSignals``.
enum JobControl {
    /// What arrived since the last ``takeSignals()``.
    struct Arrivals: Hashable, Sendable {
        /// A SIGTSTP: suspend.
        var stopRequested = false
        /// A SIGCONT: take the terminal back.
        var continued = false
    }

    /// The signals caught while the dashboard runs.
    private static let caught = [SIGTSTP, SIGCONT]
    /// The pipe a caught signal writes its number to, made once: non-blocking and close-on-exec at both ends.
    private static let signalPipe: (read: Int32, write: Int32) = {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }()
    /// The pipe end the handler writes to (-1: none). An atomic, so the handler reads it without a lock.
    private static let signalDescriptor = Atomic<Int32>(-1)
    /// What SIGTSTP and SIGCONT did before ``catchSignals()``, put back by ``releaseSignals()``.
    private static let previousHandlers = Mutex<[Int32: __sighandler_t?]>([:])

    /// From now on SIGTSTP (instead of stopping the program) and SIGCONT (besides continuing it) write to a
    /// pipe; returns the pipe's end to poll (readable once one arrived, see ``takeSignals()``). Called before
    /// `initscr`, so ncurses (which installs its own handlers only over the default ones) stays out.
    static func catchSignals() -> Int32 {
        signalDescriptor.store(signalPipe.write, ordering: .sequentiallyConsistent)
        for number in caught {
            let previous = signal(number) { number in
                // Async-signal-safe: an atomic load (initialised above, before the handler existed) and
                // write(2), keeping the interrupted code's errno.
                let savedErrno = errno
                let descriptor = JobControl.signalDescriptor.load(ordering: .sequentiallyConsistent)
                guard descriptor >= 0 else { return }
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(descriptor, &byte, 1)
                errno = savedErrno
            }
            previousHandlers.withLock { $0[number] = previous }
        }
        return signalPipe.read
    }

    /// The signals that arrived since the last call (it empties the pipe).
    static func takeSignals() -> Arrivals {
        var arrivals = Arrivals()
        var byte: UInt8 = 0
        while read(signalPipe.read, &byte, 1) > 0 {
            if Int32(byte) == SIGTSTP { arrivals.stopRequested = true }
            if Int32(byte) == SIGCONT { arrivals.continued = true }
        }
        return arrivals
    }

    /// SIGTSTP and SIGCONT do again what they did before ``catchSignals()`` (stop, and only continue).
    static func releaseSignals() {
        for number in caught {
            signal(number, previousHandlers.withLock { $0[number] ?? nil } ?? SIG_DFL)
        }
        signalDescriptor.store(-1, ordering: .sequentiallyConsistent)
    }

    /// Stops the program's whole job, as the terminal's Ctrl-Z would (`SIGTSTP`), or as a background job
    /// that wants the terminal is stopped (`SIGTTOU`); returns once it is continued (`fg`, `bg`, SIGCONT).
    ///
    /// The signal goes to the process group (`kill(0, ...)`), so a shell sees its job stop and gives the
    /// prompt back; the ssh children run in their own sessions and keep running. When nobody could continue
    /// the program (its process group is orphaned: it runs directly as a tmux pane's command, or under a shell
    /// without job control), the kernel discards the signal and this returns at once, so the dashboard never
    /// stops where it could not come back from.
    ///
    /// Another thread may take the signal, and then this one is stopped a moment after `kill` returned; so it
    /// waits for the SIGCONT that ends the stop (caught by ``catchSignals()``), for at most 150 ms when no stop
    /// comes. Returns whether a stop ended (false: the signal was discarded).
    @discardableResult
    static func stopJob(with number: Int32 = SIGTSTP) -> Bool {
        _ = takeSignals()
        let previous = signal(number, SIG_DFL)
        var stop = sigset_t()
        sigemptyset(&stop)
        sigaddset(&stop, number)
        var mask = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &stop, &mask)
        kill(0, number)
        var continued = pollfd(fd: signalPipe.read, events: Int16(POLLIN), revents: 0)
        // A long stop runs the first wait's time out, and it may end just before the handler writes: the second
        // wait catches that byte.
        let stopped = poll(&continued, 1, 100) > 0 || poll(&continued, 1, 50) > 0
        pthread_sigmask(SIG_SETMASK, &mask, nil)
        signal(number, previous)
        return stopped
    }

    /// Whether the program's process group owns the terminal on standard input (true when it has none):
    /// after `bg` it does not, and taking the terminal back would fight the shell for it.
    static var isInForeground: Bool {
        let owner = tcgetpgrp(STDIN_FILENO)
        return owner < 0 || owner == getpgrp()
    }
}
