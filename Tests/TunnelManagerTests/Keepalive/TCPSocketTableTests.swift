import Testing
@testable import TunnelManager
#if canImport(Glibc)
import Glibc
#endif

@Suite("the kernel's TCP socket table")
struct TCPSocketTableTests {
    @Test("entries of /proc/net/tcp and tcp6 give each socket's peer port and whether it is established")
    func parsesBothFamilies() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21001 1 0000000000000000 100 0 0 10 0
               1: 0100007F:C350 0100007F:08AE 01 00000000:00000000 02:000005DC 00000000  1000        0 40423 2 0000000000000000 20 4 30 10 -1
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:9C40 00000000000000000000000001000000:0016 01 00000000:00000000 00:00000000 00000000  1000        0 50007 1 0000000000000000 20 4 0 10 -1
            """
        let table = TCPSocketTable(parsing: text)
        #expect(table.entries.count == 3)
        #expect(table.entries[21001] == .init(inode: 21001, remotePort: 0, established: false))
        #expect(table.entries[40423] == .init(inode: 40423, remotePort: 2222, established: true))
        #expect(table.entries[50007] == .init(inode: 50007, remotePort: 22, established: true))
    }

    @Test("lines without the kernel's shape are skipped, not trusted")
    func skipsGarbage() {
        let table = TCPSocketTable(parsing: "garbage\n 0: zz:zz yy:QQ 01 x x x x x 12\n\n 1: 0100007F:0016 0100007F:0016 01 0 0 0 0 0 notanumber\n")
        #expect(table.entries.isEmpty)
    }
}

@Suite("kernel keepalive settings")
struct KernelKeepaliveSettingsTests {
    @Test("probes go 1 s apart, 2 s from a timeout of 8 s on: at least three go unanswered before the end")
    func probeInterval() {
        #expect(KernelKeepalive(timeout: .seconds(5)).probeInterval == .seconds(1))
        #expect(KernelKeepalive(timeout: .seconds(2)).probeInterval == .seconds(1))
        #expect(KernelKeepalive(timeout: .milliseconds(7999)).probeInterval == .seconds(1))
        #expect(KernelKeepalive(timeout: .seconds(8)).probeInterval == .seconds(2))
        #expect(KernelKeepalive(timeout: .seconds(600)).probeInterval == .seconds(2))
    }

    @Test("a process with no connection to the server's port is refused with the pid and the port named")
    func noConnection() throws {
        #expect(throws: KernelKeepaliveError.noServerConnection(pid: getpid(), serverPort: 1)) {
            _ = try KernelKeepalive(timeout: .seconds(6)).arm(pid: getpid(), serverPort: 1)
        }
        #expect(KernelKeepaliveError.noServerConnection(pid: 42, serverPort: 2222).description.contains("pid 42"))
    }
}
