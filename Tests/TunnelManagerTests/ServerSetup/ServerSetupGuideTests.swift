import Testing
@testable import TunnelManager

@Suite("server setup guide")
struct ServerSetupGuideTests {
    @Test("one restricted authorized_keys line per server and key, allowing exactly its tunnels' ports")
    func guide() throws {
        let config = try ConfigLoader.parse(text: """
            [defaults]
            server = "tunnel@vps.example.com"
            [[tunnel]]
            name = "ssh"
            remote = "0.0.0.0:2222"
            local = "localhost:22"
            [[tunnel]]
            name = "web"
            remote = 8080
            local = "localhost:80"
            [[tunnel]]
            name = "other"
            server = "pi@vps2.example.com"
            remote = 9000
            local = "localhost:9000"
            """, path: "t.toml")
        let text = ServerSetupGuide.text(for: config)
        #expect(text.contains("# ===== tunnel@vps.example.com (tunnels: ssh, web) ====="))
        #expect(text.contains("restrict,port-forwarding,permitlisten=\"0.0.0.0:2222\",permitlisten=\"8080\",command=\"/usr/local/bin/tunnel-tui-reclaim 2222 8080\""))
        #expect(text.contains("# ===== pi@vps2.example.com (tunnels: other) ====="))
        #expect(text.contains("command=\"/usr/local/bin/tunnel-tui-reclaim 9000\""))
        #expect(text.contains("\nGatewayPorts clientspecified\n"), "needed for the 0.0.0.0 bind")
        #expect(text.contains("ClientAliveInterval 10"))
        #expect(text.contains("sudo ufw allow 2222/tcp; sudo ufw allow 8080/tcp"))
        #expect(text.contains("reclaim_script = true (in [defaults] or in\n#    each tunnel; not yet set for: ssh, web)"), "\(text)")
        #expect(text.contains("unprivileged tunnel user, OpenSSH 9.2 to 10.x"))
    }
}
