import Testing
@testable import TunnelManager
import TunnelTestSupport

/// The `[alerts]` table and the per-tunnel alert keys: values, defaults and every refusal with its line and key.
@Suite("config: alerts")
struct AlertConfigTests {
    private let minimal = ConfigFixture.minimal

    @Test("without [alerts] alerts are off; with it the command, durations and counts are read")
    func readsTheTable() throws {
        let off = try ConfigLoader.parse(text: minimal, path: "t.toml")
        #expect(off.alerts.command == nil)
        #expect(off.alerts.command(for: "web") == nil)
        let text = """
            [alerts]
            command = ["/bin/sh", "-c", "exit 0"]
            alert_after = "1m"
            timeout = "5s"
            flapping_count = 4
            flapping_window = "15m"

            """ + minimal + "\nalert_after = \"2m\"\n"
        let config = try ConfigLoader.parse(text: text, path: "t.toml")
        #expect(config.alerts.command == ["/bin/sh", "-c", "exit 0"])
        #expect(config.alerts.alertAfter == .seconds(60))
        #expect(config.alerts.timeout == .seconds(5))
        #expect(config.alerts.flappingCount == 4)
        #expect(config.alerts.flappingWindow == .seconds(900))
        #expect(config.alerts.alertAfter(for: "web") == .seconds(120))
        #expect(config.alerts.alertAfter(for: "other") == .seconds(60))
    }

    @Test("a program named without a slash is found on PATH; alerts = false and alert_command apply per tunnel")
    func perTunnel() throws {
        let text = "[alerts]\ncommand = [\"sh\", \"-c\", \"true\"]\n\n" + minimal + "\nalerts = false\n"
            + minimal.replacingOccurrences(of: "\"web\"", with: "\"api\"").replacingOccurrences(of: "8080", with: "8081")
            + "\nalert_command = [\"/bin/echo\", \"api\"]\n"
        let config = try ConfigLoader.parse(text: text, path: "t.toml")
        #expect(config.alerts.command(for: "web") == nil)
        #expect(config.alerts.command(for: "api") == ["/bin/echo", "api"])
    }

    @Test("bad alert values are refused with the file's line, the table and the key")
    func refusals() {
        func problem(_ alerts: String, tunnelKeys: String = "") -> ConfigProblem? {
            ConfigFixture.problems("[alerts]\n" + alerts + "\n\n" + minimal + "\n" + tunnelKeys).first
        }
        let shell = problem("command = \"/usr/local/bin/notify-me --flag\"")
        #expect(shell?.key == "command")
        #expect(shell?.line == 2)
        #expect(shell?.tunnel == "[alerts]")
        #expect(shell?.message.contains("list") == true, "\(shell?.description ?? "")")
        #expect(shell?.description.hasPrefix("line 2: [alerts]: key \"command\": must be a list of strings") == true, "\(shell?.description ?? "")")
        #expect(problem("command = []")?.message.contains("must name a program") == true)
        #expect(problem("command = [\"-x\"]")?.message.contains("starts with '-'") == true)
        #expect(problem("command = [\"/nonexistent/notify\"]")?.message.contains("does not exist or is not executable") == true)
        #expect(problem("command = [\"no-such-notifier-here\"]")?.message.contains("not found on PATH") == true)
        #expect(problem("command = [\"notify me\"]")?.message.contains("separate strings") == true)
        #expect(problem("command = [\"/bin/true\"]\nalert_after = \"soon\"")?.key == "alert_after")
        #expect(problem("command = [\"/bin/true\"]\nalert_after = \"soon\"")?.line == 3)
        #expect(problem("command = [\"/bin/true\"]\ntimeout = 10")?.message.contains("duration string") == true)
        #expect(problem("command = [\"/bin/true\"]\nflapping_count = 1")?.message.contains("from 2 to 1000") == true)
        #expect(problem("command = [\"/bin/true\"]\ncomand = 1")?.message.contains("did you mean \"command\"") == true)
        #expect(problem("alert_after = \"1m\"")?.message.contains("needs a command") == true)
        let tunnel = problem("command = [\"/bin/true\"]", tunnelKeys: "alerts = \"no\"")
        #expect(tunnel?.tunnel == "web")
        #expect(tunnel?.key == "alerts")
        #expect(tunnel?.line == 9)
        #expect(problem("command = [\"/bin/true\"]", tunnelKeys: "alert_after = \"0s\"")?.message.contains("too short") == true)
        #expect(ConfigFixture.problems("alerts = true\n" + minimal).first?.message.contains("must be a table") == true)
        #expect(ConfigFixture.problems("[defaults]\nalerts = false\n\n" + minimal).first?.message.contains("go in [alerts]") == true)
        #expect(ConfigFixture.problems("alert_after = \"1m\"\n" + minimal).first?.message.contains("put it under [alerts]") == true)
    }
}
