import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// Short human forms for durations, latencies and clock times.
enum Formatting {
    /// `42s`, `5m03s`, `3h12m`, `2d04h`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m" + String.zeroPadded(total % 60, width: 2) + "s" }
        if total < 86400 { return "\(total / 3600)h" + String.zeroPadded((total % 3600) / 60, width: 2) + "m" }
        return "\(total / 86400)d" + String.zeroPadded((total % 86400) / 3600, width: 2) + "h"
    }

    /// `12.3ms`, `850ms`, `1.2s`.
    static func latency(_ milliseconds: Double?) -> String {
        guard let milliseconds else { return "-" }
        if milliseconds < 100 { return String.fixed(milliseconds, digits: 1) + "ms" }
        if milliseconds < 1000 { return String.fixed(milliseconds, digits: 0) + "ms" }
        return String.fixed(milliseconds / 1000, digits: 1) + "s"
    }

    /// `15:04:05` in `timeZone`, or in the system's local time when nil (the default).
    static func clock(_ date: Date, _ timeZone: TimeZone? = nil) -> String {
        let seconds = Int(date.timeIntervalSince1970) + (timeZone?.secondsFromGMT(for: date) ?? localOffset(at: date))
        let day = ((seconds % 86400) + 86400) % 86400
        return [day / 3600, (day % 3600) / 60, day % 60].map { String.zeroPadded($0, width: 2) }.joined(separator: ":")
    }

    /// The local time's offset from UTC at `date`, in seconds, as the C library sees it (TZ, /etc/localtime).
    /// FoundationEssentials' `TimeZone.current` is GMT without Foundation's ICU, which this binary leaves out.
    static func localOffset(at date: Date) -> Int {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    /// Cuts `text` to `width` characters, marking the cut with `ellipsis`.
    static func fit(_ text: String, _ width: Int, ellipsis: String) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(max(0, width - ellipsis.count))) + ellipsis
    }
}
