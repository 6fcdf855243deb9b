import Testing
@testable import TunnelManager

@Suite("untrusted text")
struct TerminalTextTests {
    @Test("escape sequences and control characters are stripped", arguments: [
        ("\u{1B}[31mred\u{1B}[0m", "red"),
        ("title\u{1B}]0;pwned\u{07}after", "titleafter"),
        ("osc\u{1B}]8;;http://x\u{1B}\\link", "osclink"),
        ("bell\u{07}back\u{08}space\r", "bellbackspace"),
        ("tab\there", "tab here"),
        ("c1\u{9B}2Jcsi", "c1csi"),
        ("bidi\u{202E}txt", "biditxt"),
        ("dcs\u{1B}Pq#0\u{1B}\\end", "dcsend"),
        ("plain UTF-8 ✓ ünïcode", "plain UTF-8 ✓ ünïcode"),
        ("arabic\u{061C}mark", "arabicmark"),
        ("iso\u{2066}late\u{2069}d", "isolated"),
        ("zero\u{200B}width\u{FEFF}", "zerowidth"),
        ("line\u{2028}sep", "linesep"),
        ("next\u{85}line", "nextline"),
        ("joined 👩\u{200D}💻", "joined 👩\u{200D}💻"),
        ("del\u{7F}ete", "delete"),
        ("nul\u{0}l", "null"),
        ("unit\u{1F}sep", "unitsep"),
        ("debug1: Remote connections from 127.0.0.1:2222 forwarded", "debug1: Remote connections from 127.0.0.1:2222 forwarded"),
    ])
    func sanitize(raw: String, clean: String) {
        #expect(TerminalText.sanitize(raw) == clean)
    }

    @Test("every printable ASCII character is kept as it is, and each of the other 33 ASCII characters is removed or made a space")
    func asciiBoundaries() {
        let printable = String(decoding: Array(UInt8(0x20)...UInt8(0x7E)), as: UTF8.self)
        #expect(TerminalText.sanitize(printable) == printable)
        for byte in Array(UInt8(0x00)..<UInt8(0x20)) + [0x7F] {
            let raw = "a" + String(decoding: [byte], as: UTF8.self) + "b"
            // A tab becomes a space; ESC b is a two-byte escape sequence, removed whole.
            let expected = byte == 0x09 ? "a b" : byte == 0x1B ? "a" : "ab"
            #expect(TerminalText.sanitize(raw) == expected, "byte \(byte)")
        }
    }
}
