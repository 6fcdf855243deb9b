import Testing
@testable import TunnelManager

/// The shared connection's state machine with explicit time: one master for many forwards, each forward on
/// its own, connection-level faults for all, half-open detection, and no storm.
@Suite("connection: state machine")
struct ConnectionSupervisorTests {
    static let key = ConnectionKey(TunnelSupervisorTests.tunnel())
    static let ready = "debug1: Entering interactive session."

    static func idle() -> ConnectionSupervisor {
        ConnectionSupervisor(key: key, label: "c1", now: .zero, attemptGap: .seconds(1))
    }

    /// A connection whose master (generation 1, pid 500) is up, carrying the forwards of `tunnels` (generation 7 each).
    static func upWith(_ tunnels: [String]) -> ConnectionSupervisor {
        var connection = idle()
        for tunnel in tunnels { _ = connection.handle(.forwardWanted(tunnel: tunnel, generation: 7), now: .zero) }
        _ = connection.handle(.masterStarted(generation: 1, pid: 500), now: .zero)
        _ = connection.handle(.masterOutput(generation: 1, line: ready), now: .zero)
        for tunnel in tunnels {
            _ = connection.handle(.forwardRequestFinished(tunnel: tunnel, generation: 7, exit: .exited(0), lines: []), now: .zero)
        }
        return connection
    }

    @Test("three tunnels wanting their forwards start one master; each forward is requested once it is up")
    func oneMasterForMany() {
        var connection = Self.idle()
        let first = connection.handle(.forwardWanted(tunnel: "a", generation: 7), now: .zero)
        #expect(first.contains(.spawnMaster(generation: 1)))
        #expect(connection.handle(.forwardWanted(tunnel: "b", generation: 7), now: .zero).isEmpty, "no second master while one connects")
        let started = connection.handle(.masterStarted(generation: 1, pid: 500), now: .zero)
        #expect(started.contains(.tunnel("a", .childStarted(generation: 7, pid: 500))))
        #expect(started.contains(.tunnel("b", .childStarted(generation: 7, pid: 500))))
        #expect(connection.handle(.masterOutput(generation: 1, line: "debug1: Authenticating to vps:22 as 'tunnel'"), now: .zero).isEmpty)
        #expect(connection.state == .connecting)
        let up = connection.handle(.masterOutput(generation: 1, line: Self.ready), now: .seconds(1))
        #expect(connection.state == .up)
        #expect(up.contains(.requestForward(tunnel: "a", generation: 7)))
        #expect(up.contains(.requestForward(tunnel: "b", generation: 7)))
        #expect(up.contains(.wakeWaitingTunnels))
        let late = connection.handle(.forwardWanted(tunnel: "c", generation: 7), now: .seconds(2))
        #expect(late == [.tunnel("c", .childStarted(generation: 7, pid: 500)), .requestForward(tunnel: "c", generation: 7)])
        #expect(connection.handle(.forwardRequestFinished(tunnel: "a", generation: 7, exit: .exited(0), lines: []), now: .seconds(2))
                == [.tunnel("a", .forwardEstablished(generation: 7))])
        #expect(connection.masterStarts == 1)
        #expect(connection.forwardCount == 1)
    }

    @Test("a refused forward fails only that tunnel, with the server's words; the master and the others stay")
    func refusedForwardIsThatTunnels() {
        var connection = Self.upWith(["a", "b"])
        _ = connection.handle(.forwardWanted(tunnel: "c", generation: 7), now: .seconds(1))
        let line = "mux_client_forward: forwarding request failed: remote port forwarding failed for listen port 2224"
        // The master logs the refusal too; that is not a connection-level cause.
        #expect(connection.handle(.masterOutput(generation: 1, line: "mux_confirm_remote_forward: remote port forwarding failed for listen port 2224"), now: .seconds(1)).isEmpty)
        let effects = connection.handle(.forwardRequestFinished(tunnel: "c", generation: 7, exit: .exited(255), lines: [line]), now: .seconds(1))
        #expect(effects == [.tunnel("c", .childOutput(generation: 7, line: line)), .tunnel("c", .childExited(generation: 7, exit: .exited(255)))])
        #expect(connection.state == .up)
        #expect(connection.forwardCount == 2)
        #expect(!effects.contains(.terminateMaster(generation: 1)))
    }

    @Test("a stop cancels that forward alone, and the tunnel's child ends when the cancel is done")
    func stopCancelsOneForward() {
        var connection = Self.upWith(["a", "b"])
        #expect(connection.handle(.forwardReleased(tunnel: "a", generation: 7), now: .seconds(5)) == [.cancelForward(tunnel: "a", generation: 7)])
        #expect(connection.forwardCount == 1)
        #expect(connection.handle(.cancelFinished(tunnel: "a", generation: 7), now: .seconds(5))
                == [.tunnel("a", .childExited(generation: 7, exit: .exited(0)))])
        #expect(connection.state == .up, "b keeps the connection")
        #expect(connection.handle(.membersStopped, now: .seconds(5)).isEmpty, "b still wants it")
    }

    @Test("a forward released while its request is in flight is cancelled once the request ends")
    func releaseDuringRequest() {
        var connection = Self.upWith(["a"])
        _ = connection.handle(.forwardWanted(tunnel: "b", generation: 7), now: .zero)
        #expect(connection.handle(.forwardReleased(tunnel: "b", generation: 7), now: .zero).isEmpty)
        #expect(connection.handle(.forwardRequestFinished(tunnel: "b", generation: 7, exit: .exited(0), lines: []), now: .zero)
                == [.cancelForward(tunnel: "b", generation: 7)])
        #expect(connection.handle(.cancelFinished(tunnel: "b", generation: 7), now: .zero)
                == [.tunnel("b", .childExited(generation: 7, exit: .exited(0)))])
    }

    @Test("the master ending ends every forward with the connection's cause, once per tunnel")
    func masterLostForAll() {
        var connection = Self.upWith(["a", "b", "c"])
        _ = connection.handle(.masterOutput(generation: 1, line: "Connection to vps closed by remote host."), now: .seconds(40))
        let effects = connection.handle(.masterExited(generation: 1, exit: .exited(255)), now: .seconds(40))
        for tunnel in ["a", "b", "c"] {
            #expect(effects.contains(.tunnel(tunnel, .connectionEnded(generation: 7, exit: .exited(255), cause: .connectionClosed))))
        }
        #expect(connection.state == .idle)
        #expect(connection.pid == nil)
        #expect(connection.wanted.isEmpty)
        // It had been up: the first tunnel to ask again reconnects at once.
        #expect(connection.handle(.forwardWanted(tunnel: "a", generation: 8), now: .seconds(40)).contains(.spawnMaster(generation: 2)))
    }

    @Test("a master refused at authentication fails every tunnel with permission denied, and the next master waits the gap")
    func authenticationRefusedNoStorm() {
        var connection = Self.idle()
        for tunnel in ["a", "b"] { _ = connection.handle(.forwardWanted(tunnel: tunnel, generation: 7), now: .zero) }
        _ = connection.handle(.masterStarted(generation: 1, pid: 500), now: .zero)
        _ = connection.handle(.masterOutput(generation: 1, line: "tunnel@vps: Permission denied (publickey)."), now: .zero)
        let effects = connection.handle(.masterExited(generation: 1, exit: .exited(255)), now: .milliseconds(100))
        #expect(effects.contains(.tunnel("a", .connectionEnded(generation: 7, exit: .exited(255), cause: .authenticationRefused))))
        #expect(effects.contains(.tunnel("b", .connectionEnded(generation: 7, exit: .exited(255), cause: .authenticationRefused))))
        // Both tunnels' retry timers ask again at once: one timer, no master before the gap, then exactly one.
        let again = connection.handle(.forwardWanted(tunnel: "a", generation: 8, onTimer: true), now: .milliseconds(200))
        guard case .scheduleRetry(let token, let at)? = again.first, again.count == 1 else {
            Issue.record("expected one retry timer: \(again)")
            return
        }
        #expect(at == .milliseconds(1100))
        #expect(connection.handle(.forwardWanted(tunnel: "b", generation: 8, onTimer: true), now: .milliseconds(300)).isEmpty)
        let due = connection.handle(.retryDue(token: token), now: at)
        #expect(due.filter { if case .spawnMaster = $0 { true } else { false } }.count == 1)
        #expect(connection.masterStarts == 2)
    }

    @Test("a tunnel asking for another reason than its timer (the server or the network back, a start) gets a master at once")
    func explicitAskSkipsTheGap() {
        var connection = Self.idle()
        _ = connection.handle(.forwardWanted(tunnel: "a", generation: 7), now: .zero)
        _ = connection.handle(.masterExited(generation: 1, exit: .exited(255)), now: .milliseconds(100))
        #expect(connection.handle(.forwardWanted(tunnel: "a", generation: 8), now: .milliseconds(200)).contains(.spawnMaster(generation: 2)))
    }

    @Test("one tunnel failing its public probe while another passes gets its forward requested again; the master stays")
    func oneProbeFailureRequestsAgain() {
        var connection = Self.upWith(["a", "b"])
        _ = connection.handle(.forwardProbed(tunnel: "b", passed: true), now: .seconds(3))
        _ = connection.handle(.forwardProbed(tunnel: "a", passed: false), now: .seconds(3))
        let effects = connection.handle(.forwardProbeFailed(tunnel: "a", generation: 7), now: .seconds(3))
        #expect(effects.contains(.cancelForward(tunnel: "a", generation: 7)))
        #expect(!effects.contains(.terminateMaster(generation: 1)))
        #expect(connection.state == .up)
    }

    @Test("every forward failing its public probe means a half-open connection: the master is restarted once, for all")
    func halfOpenRestartsConnection() {
        var connection = Self.upWith(["a", "b", "c"])
        for tunnel in ["a", "b", "c"] { _ = connection.handle(.forwardProbed(tunnel: tunnel, passed: false), now: .seconds(3)) }
        let effects = connection.handle(.forwardProbeFailed(tunnel: "b", generation: 7), now: .seconds(3))
        #expect(effects.contains(.terminateMaster(generation: 1)))
        #expect(connection.state == .closing)
        #expect(connection.handle(.forwardProbeFailed(tunnel: "a", generation: 7), now: .seconds(3)).isEmpty, "one restart, not one per tunnel")
        let ended = connection.handle(.masterExited(generation: 1, exit: .signaled(15)), now: .seconds(4))
        let cause = FailureCause.publicProbeFailed("every forward of connection c1 failed; the connection was half-open")
        #expect(ended.contains(.tunnel("c", .connectionEnded(generation: 7, exit: .signaled(15), cause: cause))))
        #expect(connection.state == .idle)
        #expect(connection.masterStarts == 1)
    }

    @Test("when every tunnel of it is stopped the master is closed; a tunnel asking meanwhile gets a new one")
    func closesWhenUnused() {
        var connection = Self.upWith(["a"])
        _ = connection.handle(.forwardReleased(tunnel: "a", generation: 7), now: .seconds(1))
        _ = connection.handle(.cancelFinished(tunnel: "a", generation: 7), now: .seconds(1))
        #expect(connection.handle(.membersStopped, now: .seconds(1)).contains(.terminateMaster(generation: 1)))
        #expect(connection.handle(.forwardWanted(tunnel: "a", generation: 8), now: .seconds(2)).isEmpty, "waits for the old master to go")
        let ended = connection.handle(.masterExited(generation: 1, exit: .signaled(15)), now: .seconds(2))
        #expect(ended.contains(.spawnMaster(generation: 2)))
        #expect(!ended.contains { if case .tunnel = $0 { true } else { false } }, "the new tunnel is not told the old master ended")
    }

    @Test("events of an older master or an older tunnel generation are ignored")
    func staleEventsIgnored() {
        var connection = Self.upWith(["a"])
        #expect(connection.handle(.masterExited(generation: 0, exit: .exited(255)), now: .seconds(1)).isEmpty)
        #expect(connection.handle(.forwardRequestFinished(tunnel: "a", generation: 6, exit: .exited(255), lines: []), now: .seconds(1)).isEmpty)
        #expect(connection.state == .up)
    }
}
