import Foundation

/// Short human forms for durations, latencies and clock times.
enum Formatting {
    /// `42s`, `5m03s`, `3h12m`, `2d04h`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        if total < 86400 { return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) }
        return String(format: "%dd%02dh", total / 86400, (total % 86400) / 3600)
    }

    /// `12.3ms`, `850ms`, `1.2s`.
    static func latency(_ milliseconds: Double?) -> String {
        guard let milliseconds else { return "-" }
        if milliseconds < 100 { return String(format: "%.1fms", milliseconds) }
        if milliseconds < 1000 { return String(format: "%.0fms", milliseconds) }
        return String(format: "%.1fs", milliseconds / 1000)
    }

    /// `15:04:05` in `timeZone` (the local one by default).
    static func clock(_ date: Date, _ timeZone: TimeZone = .current) -> String {
        let seconds = Int(date.timeIntervalSince1970) + timeZone.secondsFromGMT(for: date)
        let day = ((seconds % 86400) + 86400) % 86400
        return String(format: "%02d:%02d:%02d", day / 3600, (day % 3600) / 60, day % 60)
    }

    /// Cuts `text` to `width` characters, marking the cut with `ellipsis`.
    static func fit(_ text: String, _ width: Int, ellipsis: String) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(max(0, width - ellipsis.count))) + ellipsis
    }
}
