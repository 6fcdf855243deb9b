import Testing
@testable import TunnelManager

/// The helpers that replace Foundation's (the library links FoundationEssentials only).
@Suite("text helpers without Foundation")
struct FoundationFreeTextTests {
    @Test("fixed decimals round half away from zero, as the latencies and delays are shown",
          arguments: [(0.0, 1, "0.0"), (2.25, 1, "2.3"), (3.1, 1, "3.1"), (0.05, 1, "0.1"), (9.96, 1, "10.0"),
                      (12.4, 0, "12"), (12.5, 0, "13"), (-1.25, 1, "-1.3"), (-0.01, 1, "0.0"), (1234.5678, 2, "1234.57"),
                      (0.001, 3, "0.001")])
    func fixed(value: Double, digits: Int, expected: String) {
        #expect(String.fixed(value, digits: digits) == expected)
    }

    @Test("whitespace and line ends are trimmed at both ends only")
    func trimming() {
        #expect(" \t ssh-ed25519 AAAA key \n".trimmingWhitespace() == "ssh-ed25519 AAAA key")
        #expect("   ".trimmingWhitespace() == "")
        #expect("a".trimmingWhitespace() == "a")
    }

    @Test("path parents and last components as NSString computes them for the paths used here, without touching the file system",
          arguments: [("/run/tunnel-tui/control.sock", "/run/tunnel-tui", "control.sock"), ("/control.sock", "/", "control.sock"),
                      ("control.sock", "", "control.sock"), ("/run/x/", "/run", "x"), ("/", "/", "/"), ("a/b", "a", "b")])
    func paths(path: String, parent: String, last: String) {
        #expect(PathComponents.parent(of: path) == parent)
        #expect(PathComponents.last(of: path) == last)
    }

    @Test("a detached thread runs its closure")
    func thread() async {
        let ran = await withCheckedContinuation { continuation in
            DetachedThread.start { continuation.resume(returning: true) }
        }
        #expect(ran)
    }
}

@Suite("padding without Foundation")
struct PaddingTests {
    @Test("padding cuts or fills with spaces to the width, as Foundation's padding(toLength:) does")
    func padded() {
        #expect("web".padded(to: 6) == "web   ")
        #expect("backoff".padded(to: 4) == "back")
        #expect("".padded(to: 2) == "  ")
        #expect("up".padded(to: 2) == "up")
    }

    @Test("zero padding to a width, as %02d writes it")
    func zeros() {
        #expect(String.zeroPadded(5, width: 2) == "05")
        #expect(String.zeroPadded(123, width: 2) == "123")
        #expect(String.zeroPadded(0, width: 3) == "000")
        #expect(String.zeroPadded(-7, width: 2) == "-07")
    }
}
