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
    ])
    func sanitize(raw: String, clean: String) {
        #expect(TerminalText.sanitize(raw) == clean)
    }
}
