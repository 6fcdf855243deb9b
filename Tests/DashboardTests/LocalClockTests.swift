import FoundationEssentials
import Testing
@testable import tunnel_tui

#if canImport(Glibc)
import Glibc
#endif

/// The dashboard's clocks in local time without Foundation's ICU (FoundationEssentials' `TimeZone.current`
/// is GMT in this binary).
@Suite("dashboard clocks in local time", .serialized)
struct LocalClockTests {
    @Test("with no zone pinned, clocks follow the C library's local time (TZ), not GMT")
    func followsTZ() {
        let saved = getenv("TZ").map { String(cString: $0) }
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        let noonUTC = Date(timeIntervalSince1970: 1_795_694_400)  // 2026-11-26 12:00:00 UTC
        setenv("TZ", "EST5", 1)  // a POSIX zone without the zone files: 5 h behind UTC, no daylight saving
        tzset()
        #expect(Formatting.localOffset(at: noonUTC) == -5 * 3600)
        #expect(Formatting.clock(noonUTC) == "07:00:00")
        setenv("TZ", "UTC0", 1)
        tzset()
        #expect(Formatting.clock(noonUTC) == "12:00:00")
        #expect(Formatting.clock(noonUTC, TimeZone(secondsFromGMT: 3600)) == "13:00:00", "a pinned zone wins")
    }
}
