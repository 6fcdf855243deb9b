import Foundation
import Testing
@testable import TunnelManager
import TunnelTestSupport

/// Inputs that used to crash, trap, accept nonsense or take quadratic time (issue 14, items 3, 4, 11, 12).
@Suite("config: hostile and huge inputs")
struct ConfigHardeningTests {

    private func problems(_ text: String) -> [ConfigProblem] { ConfigFixture.problems(text) }
    private let minimal = ConfigFixture.minimal + "\n"

    @Test("table headers that make toml++ abort are reported with their line and column and how to quote them", arguments: [
        ("[*]\n", 1, 2), ("[#]\n", 1, 2), ("[ünicode]\n", 1, 2), ("[[[x]]]\n", 1, 3), ("[.a]\n", 1, 2),
        ("[ *]\n", 1, 3), ("[[ *]]\n", 1, 4), ("[\n", 1, 2), ("x = 1\n\n  [\u{202E}a]\n", 3, 4),
    ])
    func abortingHeaders(text: String, line: Int, column: Int) {
        let found = problems(text)
        #expect(found.count == 1)
        #expect(found.first?.line == line, "\(found)")
        #expect(found.first?.message.contains("column \(column)") == true, "\(found)")
        #expect(found.first?.message.contains("quote it") == true)
    }

    @Test("a bracket inside a string, a multi-line string or an array is not taken for a table header")
    func bracketsInValues() {
        let text = minimal + "expect = \"\"\"\n[*]\n\"\"\"\nssh_options = [\n  \"A=[*]\",\n]\n"
        #expect(!problems(text).contains { $0.message.contains("table name") }, "\(problems(text))")
        #expect(problems("[\"*\"]\n[[tunnel]]\nname = \"x\"\n").allSatisfy { !$0.message.contains("table name") })
    }

    @Test("a huge duration is refused with the tunnel, key, value and range instead of trapping", arguments: [
        "backoff_max = \"99999999999999999999h\"",
        "backoff_max = \"\(String(repeating: "9", count: 400))s\"",
        "keepalive_interval = \"100000000000h\"",
        "probe_interval = \"9223372036854775807ms\"",
    ])
    func hugeDurations(line: String) throws {
        let found = problems(minimal + line + "\n")
        let key = String(line.prefix { $0 != " " })
        let problem = try #require(found.first)
        #expect(found.count == 1, "\(found)")
        #expect(problem.tunnel == "web" && problem.key == key)
        #expect(problem.message.contains("too long; the range is"), "\(problem)")
        #expect(problem.line == 6)
    }

    @Test("durations parse digit by digit without overflow; a 400-digit number saturates")
    func durationDigits() {
        #expect(DurationParser.parse(String(repeating: "9", count: 400) + "s") != nil)
        #expect(DurationParser.parse("1.2.3s") == nil)
        #expect(DurationParser.parse("1d")?.milliseconds == 86_400_000)
        #expect(DurationParser.parse("0.0015s")?.milliseconds == 1)
        #expect(DurationParser.parse("١s") == nil, "only ASCII digits")
    }

    @Test("every duration and count has a range and the message states it", arguments: [
        ("keepalive_interval = \"2h\"", "1s to 1h"), ("keepalive_count = 101", "1-100"),
        ("connect_timeout = \"11m\"", "1s to 10m"), ("probe_interval = \"2h\"", "100ms to 1h"),
        ("probe_timeout = \"11m\"", "50ms to 10m"), ("probe_failures = 0", "1-100"),
        ("backoff_initial = \"2h\"", "100ms to 1h"), ("backoff_max = \"25h\"", "100ms to 1d"),
        ("stable_after = \"2d\"", "0ms to 1d"), ("server_check_interval = \"100ms\"", "200ms to 1h"),
        ("log_lines = 5", "10-100000"), ("server_port = 0", "1-65535"),
    ])
    func ranges(line: String, range: String) {
        let found = problems(minimal + line + "\n")
        #expect(found.count == 1 && found[0].message.contains(range), "\(found)")
        #expect(problems("metrics_interval = \"2h\"\n" + minimal).first?.message.contains("1s to 1h") == true)
    }

    @Test("strings that must not be empty are refused when empty", arguments: ["ssh", "server", "identity_file", "http_path"])
    func emptyStrings(key: String) {
        let text = key == "server"
            ? minimal.replacingOccurrences(of: "\"tunnel@vps.example.com\"", with: "\"\"")
            : minimal + "\(key) = \"\"\n"
        let found = problems(text)
        #expect(found.contains { $0.key == key }, "\(found)")
        #expect(problems(minimal + "ssh_options = [\"\"]\n").first?.key == "ssh_options")
    }

    @Test("invisible characters in names and addresses are refused and shown as U+XXXX", arguments: [
        ("server", "\"vps\u{9B}.example.com\"", "U+009B"), ("public", "\"vps\u{202E}.example.com:80\"", "U+202E"),
        ("http_path", "\"/health\u{2066}\"", "U+2066"), ("expect", "\"SSH-\u{200B}\"", "U+200B"),
        ("ssh_options", "[\"User=\u{061C}x\"]", "U+061C"), ("ssh", "\"ssh\u{FEFF}\"", "U+FEFF"),
        ("identity_file", "\"/k\u{85}\"", "U+0085"), ("local", "\"localhost\u{2028}:80\"", "U+2028"),
    ])
    func invisibleCharacters(key: String, value: String, codePoint: String) throws {
        let text = minimal.split(separator: "\n").filter { !$0.hasPrefix("\(key) =") }.joined(separator: "\n")
            + "\n\(key) = \(value)\n"
        let found = problems(text)
        let problem = try #require(found.first { $0.key == key }, "\(found)")
        #expect(problem.message.contains(codePoint))
        let printed = ConfigError.invalid(path: "t.toml", problems: found).description
        #expect(!printed.unicodeScalars.contains { $0 != "\n" && InvisibleCharacters.isInvisible($0) },
                "what config check prints carries no invisible character: \(printed.debugDescription)")
    }

    @Test("a message quoting a value with invisible characters shows them as <U+XXXX>")
    func messagesShowInvisibles() {
        let found = problems(minimal + "probe_timeout = \"3\u{202E}s\"\n")
        #expect(found.first?.description.contains("<U+202E>") == true, "\(found)")
        #expect(found.first?.description.unicodeScalars.contains("\u{202E}") == false)
    }

    @Test("10,000 tunnels, each with an error, are checked in linear time (well under 30 s in a debug build)")
    func bigConfig() {
        var text = "[defaults]\nserver = \"tunnel@vps.example.com\"\n"
        for index in 0..<10_000 {
            text += "\n[[tunnel]]\nname = \"t\(index)\"\nremote = \"70000\"\nlocal = \"localhost:80\"\n"
        }
        var valid = "[defaults]\nserver = \"tunnel@vps.example.com\"\n"
        for index in 0..<10_000 {
            valid += "\n[[tunnel]]\nname = \"t\(index)\"\nremote = \"\(10_000 + index)\"\nlocal = \"localhost:80\"\n"
        }
        let clock = ContinuousClock()
        var found: [ConfigProblem] = []
        let elapsed = clock.measure { found = problems(text) }
        #expect(found.count == 10_000)
        #expect(found.last?.line == 10_000 * 5 + 1, "each problem still names its own line")
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        let elapsedValid = clock.measure { found = problems(valid) }
        #expect(found.isEmpty, "\(found.prefix(3))")
        #expect(elapsedValid < .seconds(30), "took \(elapsedValid)")
    }

    @Test("a port bound twice is reported once per later tunnel, naming the first binder")
    func collisions() {
        var text = "[defaults]\nserver = \"vps\"\n"
        for (index, remote) in ["8080", "0.0.0.0:8080", "127.0.0.1:8080", "10.0.0.1:8081", "10.0.0.2:8081", "10.0.0.1:8081", "*:8081"].enumerated() {
            text += "[[tunnel]]\nname = \"t\(index)\"\nremote = \"\(remote)\"\nlocal = \"localhost:80\"\n"
        }
        let found = problems(text).map { "\($0.tunnel ?? "") \($0.message.split(separator: ";")[0])" }
        #expect(found == [
            "t1 0.0.0.0:8080 on vps is already bound by tunnel \"t0\"",
            "t2 127.0.0.1:8080 on vps is already bound by tunnel \"t0\"",
            "t5 10.0.0.1:8081 on vps is already bound by tunnel \"t3\"",
            "t6 *:8081 on vps is already bound by tunnel \"t3\"",
        ])
    }
}
