import Testing
@testable import TunnelManager

/// The release on this very process: its read-only file pages are unmapped, resident memory falls, and the
/// code keeps running (each page it touches is mapped again from the page cache).
@Suite("memory: releasing resident pages")
struct ResidentPagesTests {
    @Test("VmRSS is read from /proc/self/status")
    func resident() throws {
        let bytes = try #require(ResidentPages.residentBytes())
        #expect(bytes > 1_048_576, "a Swift test process has more than 1 MB resident")
    }

    @Test("the release unmaps the test binary's and its libraries' read-only pages, and resident memory falls")
    func release() throws {
        let mappings = MemoryMapping.parse(smaps: ProcFile.read("/proc/self/smaps"))
        let executable = try #require(ProcFile.link("/proc/self/exe"))
        #expect(mappings.contains { $0.path == executable }, "the executable's path is the one its mappings show")
        let releasable = mappings.filter { $0.isReleasable(executable: executable) }
        let releasableBytes = releasable.reduce(0) { $0 + $1.residentBytes }
        try #require(releasableBytes > 4 * 1_048_576, "the test binary alone keeps more than 4 MB of code resident")

        let result = ResidentPages.release()

        #expect(result.refused == 0)
        #expect(result.mappings >= releasable.count / 2, "mappings come and go while other tests run, but not most of them")
        let before = try #require(result.residentBefore)
        let after = try #require(result.residentAfter)
        // Other tests run meanwhile and map some pages again; half of what was releasable is a safe floor.
        #expect(before - after > releasableBytes / 2, "from \(before) to \(after) with \(releasableBytes) releasable")
        // Nothing of the process's own is touched: relocated data and the heap are all still there.
        let anonymousBefore = mappings.reduce(0) { $0 + $1.anonymousBytes }
        let anonymousAfter = MemoryMapping.parse(smaps: ProcFile.read("/proc/self/smaps")).reduce(0) { $0 + $1.anonymousBytes }
        #expect(anonymousAfter >= anonymousBefore / 2)
        #expect(result.description.hasPrefix("resident memory from "))
    }
}
