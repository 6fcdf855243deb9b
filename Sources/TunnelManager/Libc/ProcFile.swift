#if canImport(Glibc)
import Glibc
#endif

/// A file of `/proc`, read whole, or one of its links.
enum ProcFile {
    /// The whole of `path`, read until its end, or "" when it cannot be opened. Files of /proc report a size
    /// of 0, and a reader that trusts the size stops after the first page: a busy machine's TCP table, or a
    /// process's `smaps`, is longer.
    static func read(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where the link `path` points (`/proc/self/exe`, `/proc/PID/fd/N`), or nil when it cannot be read.
    static func link(_ path: String) -> String? {
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &target, target.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The number of a /proc size field's value (`" 1234 kB"`, `"\t  1234 kB"`), in kilobytes; nil when there is none.
    static func kilobytes(_ value: Substring) -> Int? {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
    }
}
