import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// Turns a crash inside the config parser into an error message and exit status 1, for `config check`.
///
/// toml++ aborts on some inputs instead of reporting them; the known shapes are caught before it runs
/// (`TableHeaderScanner`), and this covers the ones nobody has found yet, so that `config check` (and the
/// reload that runs it in a child) always answers with a message. The fuzz script treats this message as
/// a failure, so new crash shapes are still found.
enum ParserCrashReport {
    /// The signals a crash ends in.
    static let signals = [SIGABRT, SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE]

    /// One prepared message per signal number, so the handler only writes (async-signal-safe).
    /// nonisolated(unsafe): written once in `install` before any handler can run, then only read.
    nonisolated(unsafe) private static var messages = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 65)

    /// Runs `body` with the crash report installed for `path`, and the default handlers restored after.
    static func whileParsing<Result>(_ path: String, _ body: () throws -> Result) rethrows -> Result {
        for signal in signals {
            let text = "tunnel-tui: the config parser crashed on \(TerminalText.sanitize(path)) (signal \(signal)); "
                + "the file is not valid TOML as this parser reads it: look for an unusual table header or key "
                + "near your last edit, and please report the file\n"
            messages[Int(signal)] = strdup(text)
        }
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                if let message = ParserCrashReport.messages[Int(signal)] {
                    _ = write(2, message, strlen(message))
                }
                _exit(1)
            }
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
        defer { for signal in signals { Glibc.signal(signal, SIG_DFL) } }
        return try body()
    }
}
