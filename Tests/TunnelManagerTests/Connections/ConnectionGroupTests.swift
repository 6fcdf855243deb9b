import Testing
import TunnelManager
import TunnelTestSupport

/// Which tunnels of a config share a connection, as `config check` shows it.
@Suite("connection: groups of a config")
struct ConnectionGroupTests {
    @Test("tunnels group by their connection settings in config order; share_connection = false and other settings make no or other groups")
    func groups() throws {
        let config = try ConfigFixture(defaults: ["server": "\"tunnel@vps\""]).with(tunnels: """
            [[tunnel]]
            name = "a"
            remote = 2001
            local = "localhost:22"

            [[tunnel]]
            name = "other-server"
            server = "tunnel@backup"
            remote = 2002
            local = "localhost:22"

            [[tunnel]]
            name = "b"
            remote = 2003
            local = "localhost:80"

            [[tunnel]]
            name = "own"
            remote = 2004
            local = "localhost:443"
            share_connection = false

            [[tunnel]]
            name = "slow-keepalive"
            remote = 2005
            local = "localhost:8080"
            keepalive_interval = "60s"
            """).parsed()
        let groups = ConnectionGroup.groups(of: config.tunnels)
        #expect(groups.map { $0.tunnels.map(\.name) } == [["a", "b"], ["other-server"], ["slow-keepalive"]])
        #expect(groups.map(\.key.server) == ["tunnel@vps", "tunnel@backup", "tunnel@vps"])
    }

    @Test("the master's command holds every port of the group with reclaim_script, and is quoted for a shell")
    func masterDisplay() throws {
        let config = try ConfigFixture(defaults: ["server": "\"tunnel@vps\"", "reclaim_script": "true"]).with(tunnels: """
            [[tunnel]]
            name = "a"
            remote = 2001
            local = "localhost:22"

            [[tunnel]]
            name = "b"
            remote = 2003
            local = "localhost:80"
            """).parsed()
        let group = try #require(ConnectionGroup.groups(of: config.tunnels).first)
        let shown = group.masterDisplay(controlPath: "/tmp/my socket")
        #expect(shown.hasPrefix("ssh -v -T -o ControlMaster=yes -o 'ControlPath=/tmp/my socket' "), "\(shown)")
        #expect(shown.hasSuffix(" -- tunnel@vps hold 2001 2003"), "\(shown)")
    }
}
