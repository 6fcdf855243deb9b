import Testing
@testable import TunnelManager

@Suite("byte search")
struct ByteSearchTests {
    @Test("finds a needle anywhere, and only a whole one", arguments: [
        ("debug1: remote forward success for: listen 2222", "remote forward success", true),
        ("remote forward success", "remote forward success", true),
        ("xremote forward succes", "remote forward success", false),
        ("short", "a much longer needle", false),
        ("anything", "", true),
        ("ünïcode ✓ connect_to x", "connect_to", true),
        ("aaab", "aab", true),
        ("aaaa", "aab", false),
    ])
    func includes(text: String, needle: String, found: Bool) {
        #expect(text.includes(needle) == found)
        #expect(text[...].includes(needle) == found)
    }
}
