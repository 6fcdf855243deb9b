#if canImport(Glibc)
import Glibc
#endif

/// A C library function the Swift Glibc module does not export (epoll, pidfd_open, newer posix_spawn
/// helpers), looked up by name in the running process; nil where this libc has none.
enum LibraryFunction {
    /// The function `name` as `type` (a `@convention(c)` function type), or nil.
    static func named<Function>(_ name: String, as type: Function.Type) -> Function? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
    }
}
