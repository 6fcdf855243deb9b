import ArgumentParser

/// A command that takes SIGINT, SIGTERM and SIGHUP itself through a ``SignalWaiter`` (the daemon, the
/// dashboard, the demo): for it, `main` leaves them blocked from the start so none is lost.
protocol SignalHandlingCommand: AsyncParsableCommand {}
