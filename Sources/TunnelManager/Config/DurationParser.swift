import FoundationEssentials

/// Parses the duration strings of the config file: `500ms`, `10s`, `2m`, `1h`, `1d`, `1.5s`, `1m30s`.
public enum DurationParser {
    /// Returns the duration a string such as `"10s"` names, or nil when it is not a duration.
    ///
    /// Digits are read with overflow checks: a number too big for any clock saturates (at about 292
    /// million years) instead of trapping, so the caller's range check reports it.
    public static func parse(_ text: String) -> Duration? {
        let scalars = Array(text.unicodeScalars.drop(while: { $0 == " " || $0 == "\t" }))
            .reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()
        let characters = Array(scalars)
        guard !characters.isEmpty else { return nil }
        var totalMicroseconds: Int64 = 0
        var index = 0
        while index < characters.count {
            var whole: Int64 = 0
            var fraction: Int64 = 0
            var fractionDigits = 0
            var digits = 0
            var seenPoint = false
            while index < characters.count, characters[index] == "." || ("0"..."9").contains(characters[index]) {
                let character = characters[index]
                index += 1
                if character == "." {
                    if seenPoint { return nil }
                    seenPoint = true
                    continue
                }
                let digit = Int64(character.value - 48)
                digits += 1
                if seenPoint {
                    // Microsecond precision is plenty; further digits are ignored.
                    if fractionDigits < 6 {
                        fraction = fraction * 10 + digit
                        fractionDigits += 1
                    }
                } else {
                    whole = saturatingAdd(saturatingMultiply(whole, 10), digit)
                }
            }
            guard digits > 0 else { return nil }
            let unitStart = index
            while index < characters.count, ("a"..."z").contains(characters[index]) { index += 1 }
            let scale: Int64
            switch String(String.UnicodeScalarView(characters[unitStart..<index])) {
            case "ms": scale = 1_000
            case "s": scale = 1_000_000
            case "m": scale = 60_000_000
            case "h": scale = 3_600_000_000
            case "d": scale = 86_400_000_000
            default: return nil
            }
            for _ in fractionDigits..<6 { fraction *= 10 }
            let part = saturatingAdd(saturatingMultiply(whole, scale), fraction * scale / 1_000_000)
            totalMicroseconds = saturatingAdd(totalMicroseconds, part)
        }
        return .microseconds(totalMicroseconds)
    }

    private static func saturatingMultiply(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        return overflow ? .max : product
    }

    private static func saturatingAdd(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        return overflow ? .max : sum
    }

    /// Formats a duration the way the config file writes it (`1.5s`, `500ms`, `2m`).
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 86_400_000 == 0 { return "\(milliseconds / 86_400_000)d" }
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return String.fixed(Double(milliseconds) / 1000, digits: 1) + "s"
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        let (whole, overflow) = components.seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return components.seconds < 0 ? .min : .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(components.attoseconds / 1_000_000_000_000_000)
        return overflowAgain ? .max : total
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
