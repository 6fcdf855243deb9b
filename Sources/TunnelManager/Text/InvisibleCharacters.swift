/// Characters that do not show as themselves on a terminal: controls (C0, DEL, C1), bidi controls and the
/// other invisible format characters (zero-width spaces, word joiners, the BOM, tags), line and
/// paragraph separators. Config values that are names or addresses refuse them; drawn text drops them.
public enum InvisibleCharacters {
    /// Whether `scalar` is a control, a format character (bidi overrides and isolates among them) or a
    /// line/paragraph separator.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// The bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which can make
    /// text read in another order than it is stored.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The first invisible character of `text`, if any.
    public static func first(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: isInvisible)
    }

    /// `U+202E`: how a message names a character it must not print.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The config's message for a value holding `scalar`: what it is, by code point, and what to do.
    static func refusal(_ scalar: Unicode.Scalar) -> String {
        let kind: String
        if isBidiControl(scalar) {
            kind = "a bidi control, which makes text read in another order than it is written"
        } else if scalar.properties.generalCategory == .control {
            kind = "a control character"
        } else {
            kind = "an invisible character"
        }
        return "contains \(codePoint(scalar)) (\(kind)); names, addresses and paths must be plain visible text: "
            + "retype the value"
    }
}
