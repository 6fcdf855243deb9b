import Foundation
import Testing
import TunnelManager
@testable import tunnel_tui

/// Where the dashboard and `status` show the connection a tunnel rides on.
@Suite("dashboard and status: the connection of a tunnel")
struct ConnectionDisplayTests {
    static func shared(_ status: TunnelStatus, label: String, pid: Int32?, state: ConnectionState, forwards: Int, tunnels: Int) -> TunnelStatus {
        var status = status
        status.pid = pid
        status.connection = ConnectionStatus(label: label, server: "tunnel@vps.example.com", shared: true, state: state,
                                             pid: pid, tunnels: tunnels, forwards: forwards)
        return status
    }

    @Test("the detail pane of a tunnel on a shared connection names the connection, its state, its ssh pid and its forwards")
    func detailPane() {
        var state = SampleState.state(width: 120, height: 40)
        let tunnels = SampleState.tunnels.enumerated().map { index, status in
            index < 2 ? Self.shared(status, label: "c1", pid: 4242, state: .up, forwards: 2, tunnels: 5) : status
        }
        _ = DashboardUpdate.update(&state, .tunnels(tunnels, selectedLog: SampleState.log))
        let text = DashboardRenderer.render(state).text
        #expect(text.contains("connection c1 up (ssh pid 4242, 2 of 5 forwards)"), "\(text)")
        #expect(!text.contains("   pid 4242"), "the pid is the connection's, said once")
    }

    @Test("status shows a CONN column: the shared connection and its master's pid, or the tunnel's own ssh")
    func statusColumn() {
        var own = SampleState.tunnels[2]
        own.connection = ConnectionStatus(label: "own", server: "tunnel@vps.example.com", shared: false, state: .up, pid: 4244, tunnels: 1, forwards: 1)
        let rows = [Self.shared(SampleState.tunnels[0], label: "c1", pid: 4242, state: .up, forwards: 1, tunnels: 1), own]
        let lines = StatusTable.render(rows).split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("CONN") == true, "\(lines)")
        #expect(lines.dropFirst().first?.contains("c1 4242") == true, "\(lines)")
        #expect(lines.last?.contains("own 4244") == true, "\(lines)")
    }

    @Test("on a terminal wide enough the table has a CONN column: tunnels with the same label share one ssh; it is the first column to go when space runs out")
    func tableColumn() {
        var state = SampleState.state(width: 140, height: 40)
        var own = SampleState.tunnels[2]
        own.connection = ConnectionStatus(label: "own", server: "tunnel@vps.example.com", shared: false, state: .up, pid: 4244, tunnels: 1, forwards: 1)
        let tunnels = [Self.shared(SampleState.tunnels[0], label: "c1", pid: 4242, state: .up, forwards: 2, tunnels: 2),
                       Self.shared(SampleState.tunnels[1], label: "c1", pid: 4242, state: .up, forwards: 2, tunnels: 2), own]
        _ = DashboardUpdate.update(&state, .tunnels(tunnels, selectedLog: SampleState.log))
        let lines = DashboardRenderer.render(state).text.split(separator: "\n").map(String.init)
        let header = lines.first { $0.contains("STATE") && $0.contains("NAME") } ?? ""
        #expect(header.contains(" CONN "), "\(lines.prefix(6))")
        #expect(lines.first { $0.contains("pi-ssh") }?.contains(" c1 ") == true, "\(lines.prefix(6))")
        #expect(lines.first { $0.contains("home-assistant") }?.contains(" c1 ") == true, "\(lines.prefix(6))")
        #expect(lines.first { $0.contains("grafana") }?.contains(" own ") == true, "\(lines.prefix(6))")
        #expect(TableColumn.layout(width: 119).contains { $0.column == .connection } == false, "not at 120 columns: the layout there is unchanged")
    }
}
