import Testing
@testable import TunnelManager

/// Reading /proc/PID/smaps, and which mappings may be unmapped with nothing lost.
@Suite("memory: the mappings of smaps")
struct MemoryMappingTests {
    /// The shape of a real smaps (abridged fields): the executable's text, its relocated read-only data, its
    /// data, the heap, an anonymous mapping, a library with a space in its path, a shared file and the vdso.
    static let smaps = """
        55b34e17a000-55b34efe9000 r-xp 00000000 fe:00 5407472                    /usr/bin/tunnel-tui
        Size:              14780 kB
        Rss:                8976 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        55b34efea000-55b34f04c000 r--p 00e6f000 fe:00 5407472                    /usr/bin/tunnel-tui
        Size:                392 kB
        Rss:                 392 kB
        Anonymous:           392 kB
        VmFlags: rd mr mw me ac sd
        55b34f04c000-55b34f263000 rw-p 00ed1000 fe:00 5407472                    /usr/bin/tunnel-tui
        Size:               2140 kB
        Rss:                1176 kB
        Anonymous:           164 kB
        VmFlags: rd wr mr mw me ac sd
        55b34f263000-55b34f2f9000 rw-p 00000000 00:00 0                          [heap]
        Rss:                 316 kB
        Anonymous:           316 kB
        7feb44000000-7feb4402a000 rw-p 00000000 00:00 0 
        Rss:                 168 kB
        Anonymous:           168 kB
        7feb4a044000-7feb4a19a000 r-xp 00026000 fe:00 333151                     /opt/my libs/libc.so.6
        Rss:                1228 kB
        Anonymous:             0 kB
        7feb4a200000-7feb4a299000 r--s 00000000 fe:00 333671                     /var/cache/shared.db
        Rss:                 612 kB
        Anonymous:             0 kB
        7feb4a1f0000-7feb4a1f8000 r--p 00000000 fe:00 333673                     /usr/share/zoneinfo/Europe/Berlin
        Rss:                  32 kB
        Anonymous:             0 kB
        7feb4a299000-7feb4a39a000 r--p 00099000 fe:00 333672                     /usr/lib/libunused.so
        Rss:                   0 kB
        Anonymous:             0 kB
        7ffc645fe000-7ffc64600000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB
        """

    @Test("every mapping is read, with its range, permissions, path (spaces kept), resident and anonymous bytes")
    func parses() {
        let mappings = MemoryMapping.parse(smaps: Self.smaps)
        #expect(mappings.count == 10)
        #expect(mappings.first == MemoryMapping(
            start: 0x55b3_4e17_a000, end: 0x55b3_4efe_9000, permissions: "r-xp", path: "/usr/bin/tunnel-tui",
            residentBytes: 8976 * 1024, anonymousBytes: 0))
        #expect(mappings[4].path == nil, "an anonymous mapping has no path")
        #expect(mappings[4].residentBytes == 168 * 1024)
        #expect(mappings[5].path == "/opt/my libs/libc.so.6")
        #expect(mappings[3].path == "[heap]")
    }

    @Test("only private read-only mappings of the executable and its libraries, resident and with no page of their own, are releasable")
    func releasable() {
        let releasable = MemoryMapping.parse(smaps: Self.smaps).filter { $0.isReleasable(executable: "/usr/bin/tunnel-tui") }
            .map { "\($0.permissions) \($0.path ?? "-")" }
        // Not: the relocated read-only data (its pages are the process's own), the writable data, the heap,
        // anonymous memory, a shared mapping, a data file (not the program's image), a mapping with nothing
        // resident, the vdso.
        #expect(releasable == ["r-xp /usr/bin/tunnel-tui", "r-xp /opt/my libs/libc.so.6"])
    }

    @Test("lines it does not understand are skipped, not guessed at")
    func garbage() {
        let mappings = MemoryMapping.parse(smaps: "nonsense\nzz-yy r-xp 0 0 0 /x\nRss: 12 kB\n\n12-34 rw 0 0 0\n")
        #expect(mappings.isEmpty)
    }
}
