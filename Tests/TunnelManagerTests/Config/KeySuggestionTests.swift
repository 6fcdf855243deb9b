import Testing
@testable import TunnelManager

@Suite("config: did-you-mean suggestions")
struct KeySuggestionTests {
    @Test("a near miss gets the known key; a key far from every known one gets none")
    func nearMisses() {
        let known = ["probe_interval", "probe_timeout", "server", "tcp_timeout"]
        #expect(KeySuggestion.closest(to: "probe_intervall", among: known) == "probe_interval")
        #expect(KeySuggestion.closest(to: "SREVER", among: known) == "server")
        #expect(KeySuggestion.closest(to: "colour", among: known) == nil)
    }

    @Test("a key far longer than every known one (a fuzzed file's huge line) is no near miss: no suggestion",
          arguments: [40, 470_000])
    func hugeKey(length: Int) {
        #expect(KeySuggestion.closest(to: "local" + String(repeating: "x", count: length), among: ["local", "log_lines"]) == nil)
    }
}
