#if canImport(Glibc)
import Glibc
#endif

/// Hands out SIGINT, SIGTERM and SIGHUP as they arrive, for a ``SignalHandlingCommand``.
///
/// The signals are blocked in every thread from the process's start and taken by the main thread
/// (``TerminationSignals``), so one that arrived before this waiter existed is not lost: it is the first
/// one `next()` returns.
struct SignalWaiter: Sendable {
    /// Waits for the next signal.
    func next() async -> Int32 {
        for await number in TerminationSignals.inbox.stream { return number }
        return SIGTERM
    }
}
