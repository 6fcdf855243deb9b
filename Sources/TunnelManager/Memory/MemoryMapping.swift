/// One mapping of a process's address space as `/proc/PID/smaps` describes it: where it is, its
/// permissions, the file it maps (nil for anonymous memory, the heap, the stack and the kernel's
/// `[vdso]`), and how much of it is resident and how much of that is the process's own (anonymous) pages.
public struct MemoryMapping: Equatable, Sendable {
    /// The first address.
    public let start: UInt
    /// The address after the last.
    public let end: UInt
    /// `r`, `w`, `x` or `-` each, then `p` (private) or `s` (shared), as in `r-xp`.
    public let permissions: String
    /// The mapped file's path; nil for memory no file backs.
    public let path: String?
    /// Bytes of it in memory (`Rss`).
    public let residentBytes: Int
    /// Bytes of it that are the process's own pages rather than the file's (`Anonymous`): a private mapping's
    /// pages once written, such as the data the dynamic loader relocated before it made them read-only.
    public let anonymousBytes: Int

    /// Creates a mapping from its fields.
    public init(start: UInt, end: UInt, permissions: String, path: String?, residentBytes: Int, anonymousBytes: Int) {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.path = path
        self.residentBytes = residentBytes
        self.anonymousBytes = anonymousBytes
    }

    /// Whether its resident pages can be unmapped with nothing lost: a private, read-only mapping of the
    /// program's image (`executable`, the path of `/proc/self/exe`, or a shared library) with no page of its
    /// own, so each resident page is the file's page in the page cache, and the next touch maps it again
    /// from there. Writable mappings and relocated read-only data never qualify, and neither do other files
    /// a library may map and unmap while the release runs: their address could be reused meanwhile.
    public func isReleasable(executable: String) -> Bool {
        guard let path, path == executable || path.hasSuffix(".so") || path.contains(".so.") else { return false }
        return permissions.hasPrefix("r") && !permissions.contains("w") && permissions.hasSuffix("p")
            && anonymousBytes == 0 && residentBytes > 0
    }

    /// The mappings of an `smaps` text; lines it does not understand are skipped.
    public static func parse(smaps: String) -> [MemoryMapping] {
        var mappings: [MemoryMapping] = []
        var header: (start: UInt, end: UInt, permissions: String, path: String?)?
        var resident = 0
        var anonymous = 0
        func finish() {
            if let header {
                mappings.append(MemoryMapping(
                    start: header.start, end: header.end, permissions: header.permissions, path: header.path,
                    residentBytes: resident, anonymousBytes: anonymous))
            }
            header = nil
            resident = 0
            anonymous = 0
        }
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let firstSpace = line.firstIndex(of: " ") else { continue }
            let key = line[..<firstSpace]
            if key.hasSuffix(":") {
                if key == "Rss:" {
                    resident = (ProcFile.kilobytes(line[firstSpace...]) ?? 0) * 1024
                } else if key == "Anonymous:" {
                    anonymous = (ProcFile.kilobytes(line[firstSpace...]) ?? 0) * 1024
                }
                continue
            }
            finish()
            header = parseHeader(line)
        }
        finish()
        return mappings
    }

    /// `start-end perms offset device inode [path]`; the path may hold spaces.
    private static func parseHeader(_ line: Substring) -> (start: UInt, end: UInt, permissions: String, path: String?)? {
        var rest = line[...]
        var fields: [Substring] = []
        for _ in 0..<5 {
            rest = rest.drop { $0 == " " }
            guard let end = rest.firstIndex(of: " ") ?? (rest.isEmpty ? nil : rest.endIndex) else { return nil }
            fields.append(rest[..<end])
            rest = rest[end...]
        }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
              fields[1].count == 4 else { return nil }
        let path = rest.drop { $0 == " " }
        return (start, end, String(fields[1]), path.isEmpty ? nil : String(path))
    }
}
