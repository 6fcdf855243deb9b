import Foundation
import Testing
@testable import TunnelManager

@Suite("logs")
struct TunnelLogTests {
    @Test("the log keeps the newest lines in order and drops the oldest")
    func ring() {
        var log = TunnelLog(capacity: 3)
        for index in 1...5 {
            log.append(LogEntry(time: Date(), origin: .ssh, text: "\(index)"))
        }
        #expect(log.entries().map(\.text) == ["3", "4", "5"])
        #expect(log.entries(limit: 2).map(\.text) == ["4", "5"])
        #expect(log.totalAppended == 5)
    }

    @Test("ssh's debug noise stays out of the log; what tells the story stays in")
    func filter() {
        #expect(SSHOutputFilter.isWorthLogging("Authenticated to vps ([1.2.3.4]:22) using \"publickey\"."))
        #expect(SSHOutputFilter.isWorthLogging("debug1: remote forward success for: listen 2222, connect localhost:22"))
        #expect(!SSHOutputFilter.isWorthLogging("debug1: channel 1: new [127.0.0.1]"))
        #expect(SSHOutputFilter.isWorthLogging("Error: remote port forwarding failed for listen port 2222"))
        #expect(SSHOutputFilter.isNoise("debug1: client_input_channel_open: ctype forwarded-tcpip rchan 2 win 2097152 max 32768"))
        #expect(!SSHOutputFilter.isNoise("debug1: remote forward success for: listen 2222, connect localhost:22"), "the forward report reaches the supervisor")
        #expect(!SSHOutputFilter.isNoise("Connection to vps closed by remote host."))
    }
}
