import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import Logging
import TunnelManager

/// An error a command ends with: its description says what happened and what to do, and ``exitStatus`` is
/// the process's exit status (argument-parser ends every other thrown error with 1 and no way to choose).
///
/// ``TunnelTUI/run(_:)`` prints it on stderr as `tunnel-tui: DESCRIPTION` (under journald with the
/// sd-daemon priority prefix, so `journalctl -p err` shows it) and exits with ``exitStatus``.
protocol CommandError: Error, CustomStringConvertible {
    /// The exit status: 1, or 3 when no instance answers (the monitoring convention of `status`).
    var exitStatus: Int32 { get }
}

extension CommandError {
    var exitStatus: Int32 { 1 }

    /// The line (or lines) written to stderr for this error, every line sanitised.
    var report: String {
        let lines = "tunnel-tui: \(description)".split(separator: "\n", omittingEmptySubsequences: false)
        let text = lines.map { TerminalText.sanitize(String($0)) }.joined(separator: "\n")
        switch JournalLogHandler.format() {
        case .journal: return JournalLogHandler.line(level: .critical, message: text)
        case .stream: return text + "\n"
        }
    }
}

extension ControlError: CommandError {}
