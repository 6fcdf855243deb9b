import Testing
@testable import tunnel_tui

@Suite("dashboard: text drawn into the screen")
struct ScreenTextTests {
    @Test("bidi controls, C1 controls and other invisible characters never reach a cell, whoever passed them")
    func invisibleCharactersDropped() {
        var screen = Screen(width: 30, height: 1)
        let end = screen.put("web\u{202E}moc.elpmaxe\u{9B}\u{2066}\u{200B}!", x: 0, y: 0)
        #expect(screen.text == "webmoc.elpmaxe!")
        #expect(end == 15)
        #expect(!screen.text.unicodeScalars.contains { $0.value == 0x202E })
    }
}
