import Testing
import TunnelManager

/// The alert rules with explicit time: every rule is checked by feeding states at chosen moments.
@Suite("alerts: rules")
struct AlertRulesTests {
    private static func settings(alertAfter: Duration = .seconds(30), flappingCount: Int = 5) -> AlertSettings {
        var settings = AlertSettings()
        settings.command = ["/bin/true"]
        settings.alertAfter = alertAfter
        settings.flappingCount = flappingCount
        settings.flappingWindow = .seconds(600)
        return settings
    }

    /// Feeds `state` for `name` at second `at` and returns the events that come out, immediate and due.
    private static func feed(
        _ rules: inout AlertRules, _ name: String, _ state: TunnelState, at seconds: Double, server: String = "tunnel@vps",
        cause: String? = nil
    ) -> [AlertEvent] {
        let now = Duration.milliseconds(Int64(seconds * 1000))
        let observation = AlertObservation(
            name: name, state: state, cause: cause, hint: cause == nil ? nil : "check it", server: server,
            remote: "vps:2222", publicEndpoint: "vps:2222")
        return rules.observe(observation, now: now) + rules.due(now: now)
    }

    private static func due(_ rules: inout AlertRules, at seconds: Double) -> [AlertEvent] {
        rules.due(now: .milliseconds(Int64(seconds * 1000)))
    }

    @Test("a reconnect shorter than alert_after sends nothing and leaves nothing pending")
    func shortDropIsQuiet() {
        var rules = AlertRules(settings: Self.settings())
        #expect(Self.feed(&rules, "web", .connecting, at: 0).isEmpty)
        #expect(Self.feed(&rules, "web", .up, at: 1).isEmpty)
        #expect(Self.feed(&rules, "web", .backoff, at: 10, cause: "connection closed").isEmpty)
        #expect(rules.nextDeadline == .seconds(40))
        #expect(Self.feed(&rules, "web", .connecting, at: 20).isEmpty)
        #expect(Self.feed(&rules, "web", .up, at: 39).isEmpty)
        #expect(rules.nextDeadline == nil)
        #expect(Self.due(&rules, at: 1000).isEmpty)
    }

    @Test("a tunnel not up for alert_after is reported down once, with its cause and previous state")
    func downAfterAlertAfter() throws {
        var rules = AlertRules(settings: Self.settings())
        _ = Self.feed(&rules, "web", .up, at: 0)
        #expect(Self.feed(&rules, "web", .backoff, at: 10, cause: "server unreachable").isEmpty)
        #expect(Self.due(&rules, at: 39.9).isEmpty)
        let events = Self.due(&rules, at: 40)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.kind == .down)
        #expect(event.tunnels.map(\.name) == ["web"])
        #expect(event.tunnels.first?.cause == "server unreachable")
        #expect(event.tunnels.first?.previousState == .up)
        #expect(event.tunnels.first?.downSeconds == 30)
        #expect(event.command == ["/bin/true"])
        #expect(Self.due(&rules, at: 100).isEmpty, "reported once")
        #expect(Self.feed(&rules, "web", .connecting, at: 110).isEmpty)
        #expect(Self.feed(&rules, "web", .backoff, at: 111).isEmpty)
        #expect(Self.due(&rules, at: 500).isEmpty, "still the same episode")
    }

    @Test("up follows only a down that was sent, and says how long the tunnel was down")
    func upAfterDown() throws {
        var rules = AlertRules(settings: Self.settings())
        _ = Self.feed(&rules, "web", .up, at: 0)
        _ = Self.feed(&rules, "web", .backoff, at: 10)
        #expect(Self.due(&rules, at: 40).map(\.kind) == [.down])
        let events = Self.feed(&rules, "web", .up, at: 70)
        let up = try #require(events.first)
        #expect(events.count == 1)
        #expect(up.kind == .up)
        #expect(up.tunnels.first?.downSeconds == 60)
        #expect(up.tunnels.first?.previousState == .backoff)
        #expect(up.tunnels.first?.cause == nil)
        #expect(Self.feed(&rules, "web", .backoff, at: 80).isEmpty)
        #expect(Self.feed(&rules, "web", .up, at: 90).isEmpty, "no up without a down")
    }

    @Test("a tunnel that never comes up is reported down alert_after after it started")
    func neverUp() {
        var rules = AlertRules(settings: Self.settings())
        _ = Self.feed(&rules, "web", .stopped, at: 0)
        _ = Self.feed(&rules, "web", .connecting, at: 1)
        _ = Self.feed(&rules, "web", .backoff, at: 2, cause: "connection refused")
        let events = Self.due(&rules, at: 31)
        #expect(events.map(\.kind) == [.down])
        #expect(events.first?.tunnels.first?.previousState == .stopped)
    }

    @Test("a server outage is one down event naming its tunnels, and one up event when they are back")
    func serverWideGrouping() throws {
        var rules = AlertRules(settings: Self.settings())
        for name in ["a", "b"] { _ = Self.feed(&rules, name, .up, at: 0) }
        _ = Self.feed(&rules, "c", .up, at: 0, server: "other@vps2")
        _ = Self.feed(&rules, "a", .backoff, at: 10, cause: "server unreachable")
        _ = Self.feed(&rules, "b", .backoff, at: 11, cause: "server unreachable")
        _ = Self.feed(&rules, "c", .backoff, at: 12, server: "other@vps2", cause: "server unreachable")
        let downs = Self.due(&rules, at: 40)
        #expect(downs.count == 1)
        let down = try #require(downs.first)
        #expect(down.kind == .down)
        #expect(down.tunnels.map(\.name) == ["a", "b"])
        #expect(down.server == "tunnel@vps")
        #expect(down.tunnels.map(\.downSeconds) == [30, 29])
        #expect(Self.due(&rules, at: 41).isEmpty, "b was in the grouped event")
        #expect(Self.due(&rules, at: 42).map { $0.tunnels.map(\.name) } == [["c"]], "another server: its own event")
        #expect(Self.feed(&rules, "a", .up, at: 60).isEmpty, "waits for the rest of the group")
        let ups = Self.feed(&rules, "b", .up, at: 61)
        #expect(ups.count == 1)
        #expect(ups.first?.kind == .up)
        #expect(ups.first?.tunnels.map(\.name) == ["a", "b"])
        #expect(ups.first?.tunnels.map(\.downSeconds) == [50, 50])
    }

    @Test("tunnels of a group that come back far apart get their own up events")
    func groupReturnsApart() {
        var rules = AlertRules(settings: Self.settings())
        for name in ["a", "b"] { _ = Self.feed(&rules, name, .up, at: 0) }
        for name in ["a", "b"] { _ = Self.feed(&rules, name, .backoff, at: 10) }
        #expect(Self.due(&rules, at: 40).count == 1)
        #expect(Self.feed(&rules, "a", .up, at: 60).isEmpty)
        #expect(rules.nextDeadline == .seconds(65))
        #expect(Self.due(&rules, at: 64).isEmpty)
        #expect(Self.due(&rules, at: 65).map { $0.tunnels.map(\.name) } == [["a"]])
        #expect(Self.feed(&rules, "b", .up, at: 200).map { $0.tunnels.map(\.name) } == [["b"]])
    }

    @Test("a tunnel that drops flapping_count times in the window is reported flapping once, then quiet until it settles")
    func flapping() throws {
        var rules = AlertRules(settings: Self.settings(flappingCount: 3))
        _ = Self.feed(&rules, "web", .up, at: 0)
        var events: [AlertEvent] = []
        for cycle in 0..<6 {
            let start = Double(10 + cycle * 10)
            events += Self.feed(&rules, "web", .backoff, at: start)
            events += Self.feed(&rules, "web", .up, at: start + 5)
        }
        #expect(events.map(\.kind) == [.flapping], "one flapping event for six drops")
        #expect(events.first?.tunnels.first?.name == "web")
        // The last drop was at 60: it settles after a whole window without one.
        #expect(Self.due(&rules, at: 659).isEmpty)
        let settled = Self.due(&rules, at: 660)
        #expect(settled.map(\.kind) == [.up])
        #expect(Self.due(&rules, at: 2000).isEmpty)
    }

    @Test("a flapping tunnel that then stays down is reported down")
    func flappingThenDown() {
        var rules = AlertRules(settings: Self.settings(flappingCount: 2))
        _ = Self.feed(&rules, "web", .up, at: 0)
        _ = Self.feed(&rules, "web", .backoff, at: 10)
        _ = Self.feed(&rules, "web", .up, at: 12)
        #expect(Self.feed(&rules, "web", .backoff, at: 20).map(\.kind) == [.flapping])
        #expect(Self.due(&rules, at: 50).map(\.kind) == [.down])
        #expect(Self.feed(&rules, "web", .up, at: 60).map(\.kind) == [.up])
    }

    @Test("drops older than the flapping window do not count")
    func oldDropsExpire() {
        var rules = AlertRules(settings: Self.settings(flappingCount: 3))
        _ = Self.feed(&rules, "web", .up, at: 0)
        var events: [AlertEvent] = []
        for cycle in 0..<5 {
            let start = Double(10 + cycle * 400)
            events += Self.feed(&rules, "web", .backoff, at: start)
            events += Self.feed(&rules, "web", .up, at: start + 5)
        }
        #expect(events.isEmpty, "two drops per 600 s window at most: \(events.map(\.kind))")
    }

    @Test("tunnels stopped on purpose never alert, and a reported tunnel that is stopped sends no up")
    func stoppedIsQuiet() {
        var rules = AlertRules(settings: Self.settings())
        _ = Self.feed(&rules, "web", .up, at: 0)
        _ = Self.feed(&rules, "web", .stopped, at: 10)
        #expect(Self.due(&rules, at: 1000).isEmpty)
        #expect(rules.nextDeadline == nil)
        _ = Self.feed(&rules, "web", .connecting, at: 1000)
        _ = Self.feed(&rules, "web", .backoff, at: 1001)
        #expect(Self.due(&rules, at: 1030).map(\.kind) == [.down])
        #expect(Self.feed(&rules, "web", .stopped, at: 1040).isEmpty)
        #expect(Self.feed(&rules, "web", .connecting, at: 1050).isEmpty)
        #expect(Self.feed(&rules, "web", .up, at: 1051).isEmpty, "the stop ended the episode: no up")
    }

    @Test("a reload alerts nothing by itself: a changed tunnel's restart is not a drop, removed tunnels are forgotten")
    func reloadIsQuiet() {
        var rules = AlertRules(settings: Self.settings(flappingCount: 2))
        for name in ["web", "old"] { _ = Self.feed(&rules, name, .up, at: 0) }
        _ = Self.feed(&rules, "web", .backoff, at: 5)
        _ = Self.feed(&rules, "web", .up, at: 6)
        _ = Self.feed(&rules, "old", .backoff, at: 10)
        #expect(Self.due(&rules, at: 40).map(\.kind) == [.down])
        var summary = ReloadSummary()
        summary.changed = ["web"]
        summary.removed = ["old"]
        rules.reloaded(settings: Self.settings(flappingCount: 2), changed: summary.changed, removed: summary.removed, now: .seconds(100))
        #expect(Self.feed(&rules, "web", .connecting, at: 100.1).isEmpty, "the reload's restart is not the second drop")
        #expect(Self.feed(&rules, "web", .up, at: 101).isEmpty)
        #expect(rules.trackedNames == ["web"])
        #expect(Self.due(&rules, at: 2000).isEmpty)
        #expect(Self.feed(&rules, "web", .backoff, at: 300).map(\.kind) == [.flapping], "a real drop later still counts")
    }

    @Test("a reload that changes alert_after applies to the tunnels already down")
    func reloadChangesAlertAfter() {
        var rules = AlertRules(settings: Self.settings(alertAfter: .seconds(30)))
        _ = Self.feed(&rules, "web", .up, at: 0)
        _ = Self.feed(&rules, "web", .backoff, at: 10)
        rules.reloaded(settings: Self.settings(alertAfter: .seconds(120)), changed: [], removed: [], now: .seconds(20))
        #expect(Self.due(&rules, at: 60).isEmpty)
        #expect(Self.due(&rules, at: 130).map(\.kind) == [.down])
    }

    @Test("a tunnel whose cause needs the user is reported failed; a reported down that turns failed is reported once more")
    func failed() {
        var rules = AlertRules(settings: Self.settings())
        _ = Self.feed(&rules, "key", .failed, at: 0, cause: "permission denied (publickey)")
        let first = Self.due(&rules, at: 30)
        #expect(first.map(\.kind) == [.failed])
        #expect(first.first?.tunnels.first?.cause == "permission denied (publickey)")
        _ = Self.feed(&rules, "web", .up, at: 0)
        _ = Self.feed(&rules, "web", .backoff, at: 100, server: "tunnel@vps")
        #expect(Self.due(&rules, at: 130).map(\.kind) == [.down])
        #expect(Self.feed(&rules, "web", .failed, at: 140, cause: "host key changed").map(\.kind) == [.failed])
        #expect(Self.feed(&rules, "web", .backoff, at: 150).isEmpty)
        #expect(Self.feed(&rules, "web", .failed, at: 160).isEmpty, "once")
    }

    @Test("alerts = false and per-tunnel alert_after and command are honoured")
    func perTunnelSettings() {
        var settings = Self.settings()
        settings.tunnels["quiet"] = AlertTunnelSettings(enabled: false)
        settings.tunnels["slow"] = AlertTunnelSettings(alertAfter: .seconds(300), command: ["/bin/echo", "slow"])
        var rules = AlertRules(settings: settings)
        _ = Self.feed(&rules, "quiet", .backoff, at: 0)
        _ = Self.feed(&rules, "slow", .backoff, at: 0)
        #expect(rules.trackedNames == ["slow"])
        #expect(Self.due(&rules, at: 299).isEmpty)
        let events = Self.due(&rules, at: 300)
        #expect(events.map(\.kind) == [.down])
        #expect(events.first?.command == ["/bin/echo", "slow"])
    }

    @Test("without a hook nothing is tracked")
    func noCommand() {
        var rules = AlertRules(settings: AlertSettings())
        _ = Self.feed(&rules, "web", .backoff, at: 0)
        #expect(rules.trackedNames.isEmpty)
        #expect(Self.due(&rules, at: 1000).isEmpty)
    }
}
