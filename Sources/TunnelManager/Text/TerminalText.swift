/// Makes untrusted text (ssh output, server banners) safe to show on a terminal.
public enum TerminalText {
    /// Removes escape sequences (CSI, OSC, DCS and two-byte ones), C0/C1 control characters, bidi controls
    /// and the other invisible format characters; a tab becomes a space. What is left cannot move the
    /// cursor, change the terminal or make text read in another order than it is stored.
    public static func sanitize(_ text: String) -> String {
        // Most lines are printable ASCII, which has nothing to remove: no need to look at each scalar's properties.
        if text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return text }
        var output = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B:
                skipEscapeSequence(&scalars)
            case 0x9B:
                skipUntilFinalByte(&scalars)
            case 0x90, 0x9D, 0x9E, 0x9F:
                skipUntilStringTerminator(&scalars)
            case 0x09:
                output.append(" ")
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                continue
            default:
                if isDrawable(scalar) { output.append(scalar) }
            }
        }
        return String(output)
    }

    /// Whether `scalar` may reach a terminal: not a control, a bidi control, another invisible format
    /// character or a line separator. The zero-width joiners stay: emoji and some scripts need them.
    public static func isDrawable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x200C || scalar.value == 0x200D || !InvisibleCharacters.isInvisible(scalar)
    }

    private static func skipEscapeSequence(_ scalars: inout String.UnicodeScalarView.Iterator) {
        guard let next = scalars.next() else { return }
        switch next {
        case "[": skipUntilFinalByte(&scalars)
        case "]", "P", "X", "^", "_": skipUntilStringTerminator(&scalars)
        case " "..."/":
            // nF sequences: intermediates then one final byte.
            while let more = scalars.next(), (0x20...0x2F).contains(more.value) {}
        default: break
        }
    }

    private static func skipUntilFinalByte(_ scalars: inout String.UnicodeScalarView.Iterator) {
        while let next = scalars.next() {
            if (0x40...0x7E).contains(next.value) { return }
        }
    }

    private static func skipUntilStringTerminator(_ scalars: inout String.UnicodeScalarView.Iterator) {
        var previousWasEscape = false
        while let next = scalars.next() {
            if next.value == 0x07 || next.value == 0x9C { return }
            if previousWasEscape && next == "\\" { return }
            previousWasEscape = next.value == 0x1B
        }
    }
}
