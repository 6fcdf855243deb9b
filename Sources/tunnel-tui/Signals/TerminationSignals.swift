#if canImport(Glibc)
import Glibc
#endif

/// The signals that end or reload a supervisor (SIGINT, SIGTERM, SIGHUP): blocked for the whole process
/// from its first instruction, taken with `sigwait` by the main thread, and handed to the ``SignalWaiter``.
///
/// Blocking instead of ignoring is what makes an early signal safe: an ignored signal is gone, a blocked one
/// waits until somebody takes it. Children get an empty mask from the spawner.
enum TerminationSignals {
    static let numbers: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Signals taken so far and not yet read, in order.
    static let inbox = AsyncStream<Int32>.makeStream()

    /// The set of ``numbers``.
    static var set: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for number in numbers { sigaddset(&set, number) }
        return set
    }

    /// Blocks them in the calling thread, and so in every thread it starts afterwards; an ignore inherited
    /// from the parent (a shell's `&`, `nohup`) is undone, so a signal is never discarded on arrival.
    static func block() {
        var signals = set
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        for number in numbers { signal(number, SIG_DFL) }
    }

    /// Unblocks them in the calling thread; pending ones are delivered at once.
    static func unblock() {
        var signals = set
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// Takes them one by one, for ever, into ``inbox``; run by the main thread.
    static func forwardForever() -> Never {
        var signals = set
        while true {
            var number: Int32 = 0
            if sigwait(&signals, &number) == 0 { inbox.continuation.yield(number) }
        }
    }
}
