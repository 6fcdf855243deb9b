#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard error with write(2): Foundation's `FileHandle` is not linked into this binary, and
/// its `write` traps when the terminal is gone (a dashboard whose ssh session dropped).
enum StandardError {
    /// Writes `text` whole (retrying short writes); errors are ignored, as there is nowhere to report them.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
