/// The few text helpers that would otherwise come from Foundation (`String(format:)`,
/// `trimmingCharacters(in:)`), which would link Foundation and ICU (45 MB) into the binary.
extension String {
    /// `value` with exactly `digits` decimals, rounded half away from zero: `fixed(2.25, digits: 1)` is
    /// `"2.3"`, as `String(format: "%.1f")` writes it for the values shown here (latencies, seconds).
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<Swift.max(0, digits) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        let whole = scaled / scale
        let integerPart = whole.rounded(.towardZero)
        var text = String(Int64(integerPart))
        if digits > 0 {
            let fraction = String(Int64((scaled - integerPart * scale).rounded()))
            text += "." + String(repeating: "0", count: Swift.max(0, digits - fraction.count)) + fraction
        }
        return value < 0 && scaled != 0 ? "-" + text : text
    }

    /// The text without leading and trailing whitespace (spaces, tabs and line ends).
    public func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// The text cut or padded with spaces to exactly `width` characters, as Foundation's
    /// `padding(toLength:withPad:startingAt:)` with a space does.
    public func padded(to width: Int) -> String {
        count >= width ? String(prefix(Swift.max(0, width))) : self + String(repeating: " ", count: width - count)
    }

    /// `value` in decimal with leading zeros to at least `width` digits (`%02d`).
    public static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
