import Testing
import TunnelManager

/// What a hook reads: the one-sentence message and the variables, for each kind of event.
@Suite("alerts: message")
struct AlertMessageTests {
    private static func message(_ kind: AlertEvent.Kind, names: [String] = ["web"], state: TunnelState = .backoff,
                                cause: String? = "connection refused", downSeconds: Double? = 61) -> AlertMessage {
        AlertMessage(event: AlertEvent(kind: kind, tunnels: names.map { name in
            AlertEvent.Tunnel(
                name: name, state: state, previousState: .up, cause: cause, hint: cause == nil ? nil : "start sshd",
                downSeconds: downSeconds, server: "tunnel@vps", remote: "vps:2222", publicEndpoint: "vps:2222")
        }, command: ["/bin/true"]), host: "pi", time: 0)
    }

    @Test("each kind reads as a sentence naming the tunnel, the machine, how long and why")
    func sentences() {
        #expect(Self.message(.down).environment["TUNNEL_MESSAGE"] == "web on pi is down for 61 s: connection refused (start sshd)")
        #expect(Self.message(.failed, state: .failed, cause: "permission denied (publickey)").environment["TUNNEL_MESSAGE"]
                == "web on pi has failed and needs you for 61 s: permission denied (publickey) (start sshd)")
        #expect(Self.message(.up, state: .up, cause: nil).environment["TUNNEL_MESSAGE"] == "web on pi is up again after 61 s down")
        #expect(Self.message(.flapping, downSeconds: nil).environment["TUNNEL_MESSAGE"]?
                .hasPrefix("web on pi is flapping (down and up again and again): connection refused") == true)
        #expect(Self.message(.down, names: ["a", "b"]).environment["TUNNEL_MESSAGE"]
                == "2 tunnels of tunnel@vps (a,b) on pi are down for 61 s: connection refused (start sshd)")
    }

    @Test("every documented variable is set, empty when it does not apply, and the time is UTC")
    func variables() {
        let environment = Self.message(.up, state: .up, cause: nil).environment
        let documented = [
            "TUNNEL_EVENT", "TUNNEL_NAME", "TUNNEL_TUNNELS", "TUNNEL_COUNT", "TUNNEL_STATE", "TUNNEL_PREVIOUS_STATE",
            "TUNNEL_CAUSE", "TUNNEL_HINT", "TUNNEL_DOWN_SECONDS", "TUNNEL_SERVER", "TUNNEL_REMOTE", "TUNNEL_PUBLIC",
            "TUNNEL_HOST", "TUNNEL_TIME", "TUNNEL_TIMESTAMP", "TUNNEL_MESSAGE",
        ]
        #expect(Set(environment.keys) == Set(documented))
        #expect(environment["TUNNEL_CAUSE"] == "")
        #expect(environment["TUNNEL_PREVIOUS_STATE"] == "up")
        #expect(environment["TUNNEL_TIME"] == "1970-01-01T00:00:00Z")
        #expect(environment["TUNNEL_TIMESTAMP"] == "0")
    }
}
