import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

// SIGINT, SIGTERM and SIGHUP are blocked before anything else runs, so every thread started later inherits
// the block: a signal that arrives before a command waits for it stays pending instead of being lost (or
// killing a supervisor halfway through spawning). The main thread then takes them with sigwait for a
// command that handles them (``SignalHandlingCommand``), or unblocks them so they act as usual.
//
// This is a synchronous main on purpose: an async main parks the main thread in libdispatch's
// `sigsuspend` with an empty mask, where a blocked signal would be delivered (and kill the process)
// instead of waiting for the supervisor to take it.
TerminationSignals.block()
let parsed: any ParsableCommand
do {
    parsed = try TunnelTUI.parseAsRoot()
} catch {
    TerminationSignals.unblock()
    TunnelTUI.exit(withError: error)
}
let takesSignals = parsed is any SignalHandlingCommand
if !takesSignals { TerminationSignals.unblock() }
let command = UncheckedSendable(parsed)
Task.detached {
    await TunnelTUI.run(command.value)
}
if takesSignals {
    TerminationSignals.forwardForever()
} else {
    while true { pause() }
}
