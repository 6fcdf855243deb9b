#if canImport(Glibc)
import Glibc
#endif

/// The pages of this process that are in memory, and giving back those of the executable and its libraries
/// that startup alone used.
///
/// Startup runs code that a settled supervisor never runs again: reading the config (TOML parser and all),
/// the Swift runtime's first type and conformance lookups, which scan tables spread across the whole
/// executable, the first connection and probe of every tunnel. The kernel maps each page touched, and the
/// 64 KiB around it, and keeps them mapped: a supervisor with one tunnel had 15.6 MB resident, and 8 MB
/// once that code was unmapped and its steady work had mapped its own again (BENCHMARKS.md, "Memory").
///
/// ``release()`` unmaps the resident pages of every mapping of the executable and its libraries that
/// ``MemoryMapping/isReleasable(executable:)`` accepts (read-only file pages, identical to the page cache's):
/// nothing is lost, the pages stay in the page cache, where the kernel reclaims unmapped pages first, and the
/// code still in use is mapped again at its next touch by a minor fault. It frees no memory at once; it leaves mapped only what is in use. It is `MADV_DONTNEED`,
/// allowed to any process on its own read-only mappings, unlike `MADV_PAGEOUT`, which leaves the pages of a
/// file the caller cannot write (an installed binary, for the unit's `tunnel` user) in place.
public enum ResidentPages {
    /// This process's resident memory (`VmRSS`), in bytes, or nil where /proc cannot tell.
    public static func residentBytes() -> Int? {
        for line in ProcFile.read("/proc/self/status").split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return ProcFile.kilobytes(line.dropFirst("VmRSS:".count)).map { $0 * 1024 }
        }
        return nil
    }

    /// Unmaps the resident pages of this process's releasable mappings; returns what it did.
    @discardableResult
    public static func release() -> PageRelease {
        let before = residentBytes()
        // The executable's path as /proc shows its mappings.
        let executable = ProcFile.link("/proc/self/exe") ?? ""
        let mappings = MemoryMapping.parse(smaps: ProcFile.read("/proc/self/smaps")).filter { $0.isReleasable(executable: executable) }
        var released = 0
        var refused = 0
        for mapping in mappings {
            if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                released += 1
            } else {
                refused += 1
            }
        }
        return PageRelease(residentBefore: before, residentAfter: residentBytes(), mappings: released, refused: refused)
    }
}
