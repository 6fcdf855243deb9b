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
    ])
    func sanitize(raw: String, clean: String) {
        #expect(TerminalText.sanitize(raw) == clean)
    }
}
