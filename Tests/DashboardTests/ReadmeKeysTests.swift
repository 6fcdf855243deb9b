import Foundation
import Testing
@testable import tunnel_tui

@Suite("README")
struct ReadmeKeysTests {
    @Test("the README's key list is the binding table, as the ? overlay shows it")
    func keyList() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- keys: generated from KeyBinding.all -->\n```\n"))
        let end = try #require(readme.range(of: "```\n<!-- /keys -->", range: start.upperBound..<readme.endIndex))
        let documented = String(readme[start.upperBound..<end.lowerBound])
        let expected = HelpOverlay.lines().dropLast(2).joined(separator: "\n") + "\n"
        #expect(documented == expected, "README key list should read:\n\(expected)")
    }
}
