import Foundation
import Testing
@testable import tunnel_tui

/// Compares a rendered screen with a text fixture in `Fixtures/` (text, then the style map for colour ones).
/// `RECORD_SNAPSHOTS=1 swift test` rewrites the fixtures; review them like code.
enum SnapshotAssertion {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func assertSnapshot(_ screen: Screen, named name: String, withStyles: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        var rendered = "# \(screen.width)x\(screen.height)\n" + screen.text + "\n"
        if withStyles {
            rendered += "# styles: . plain  G green  Y yellow  R red  C cyan  d dim  b bold  r reverse\n" + screen.styleMap + "\n"
        }
        let url = directory.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? rendered.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing fixture \(url.path); record it with RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
            return
        }
        #expect(rendered == expected, "snapshot \(name) differs:\n\(rendered)", sourceLocation: sourceLocation)
    }
}
