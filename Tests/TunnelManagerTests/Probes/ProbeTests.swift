import Foundation
import Testing
@testable import TunnelManager
import TunnelTestSupport

/// Probes against tiny listeners made by the test.
@Suite("probes")
struct ProbeTests {
    private func probe(_ kind: ProbeKind, port: Int, expect: String = "SSH-", timeout: Duration = .seconds(1)) async -> ProbeResult {
        await SocketProber().probe(ProbeRequest(endpoint: Endpoint(host: "127.0.0.1", port: port), kind: kind, expect: expect, timeout: timeout))
    }

    @Test("tcp passes on a listener and fails with 'connection refused' on a closed port")
    func tcp() async throws {
        let listener = try TestListener(reply: nil)
        let passed = await probe(.tcp, port: listener.port)
        #expect(passed.passed)
        #expect(passed.latency < .seconds(1))
        let closed = await probe(.tcp, port: try LoopbackSSHServer.freePort())
        #expect(!closed.passed)
        #expect(closed.detail == "connection refused")
    }

    @Test("banner passes on the expected prefix, fails on another, and times out on silence (the half-open case)")
    func banner() async throws {
        let good = try TestListener(reply: "SSH-2.0-OpenSSH_9.2\r\n")
        #expect(await probe(.banner, port: good.port).passed)
        let other = try TestListener(reply: "220 smtp ready\u{1B}[2J\r\n")
        let wrong = await probe(.banner, port: other.port)
        #expect(!wrong.passed)
        #expect(wrong.detail == "banner \"220 smtp ready\" does not start with \"SSH-\"", "escape sequences stripped from the detail")
        let silent = try TestListener(reply: nil)
        let started = ContinuousClock.now
        let timedOut = await probe(.banner, port: silent.port, timeout: .milliseconds(300))
        #expect(!timedOut.passed)
        #expect(timedOut.detail.contains("no banner within 300ms"))
        #expect(ContinuousClock.now - started < .seconds(2), "bounded by its timeout")
    }

    @Test("http passes below 500 and fails at 500 and above")
    func http() async throws {
        let ok = try TestListener(reply: "HTTP/1.1 404 Not Found\r\n\r\n")
        let okResult = await probe(.http, port: ok.port)
        #expect(okResult.passed, "\(okResult.detail)")
        #expect(okResult.detail == "ok (HTTP 404)")
        let bad = try TestListener(reply: "HTTP/1.1 502 Bad Gateway\r\n\r\n")
        let badResult = await probe(.http, port: bad.port)
        #expect(!badResult.passed)
        #expect(badResult.detail == "HTTP 502")
    }

    @Test("probes run at once, not in turn: twelve against a server that answers after half a second all pass in about that time")
    func concurrentProbes() async throws {
        let slow = try TestListener(reply: "SSH-2.0-OpenSSH_9.2\r\n", delay: 0.5)
        let started = ContinuousClock.now
        let results = await withTaskGroup(of: ProbeResult.self) { group in
            for _ in 0..<12 {
                group.addTask { await probe(.banner, port: slow.port, timeout: .seconds(10)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let failed = results.filter { !$0.passed }.map(\.detail)
        #expect(results.count == 12 && failed.isEmpty, "\(failed)")
        let slowest = results.map(\.latency).max() ?? .zero
        #expect(slowest >= .milliseconds(500), "each latency includes the server's half second")
        #expect(slowest < .milliseconds(1_500), "queued behind each other, the last would wait seconds: \(slowest)")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a host name is looked up (off the loop) and probed; a name that does not exist says so")
    func hostNames() async throws {
        let listener = try TestListener(reply: nil)
        let named = await SocketProber().probe(ProbeRequest(endpoint: Endpoint(host: "localhost", port: listener.port), kind: .tcp, timeout: .seconds(5)))
        #expect(named.passed, "\(named.detail)")
        let missing = await SocketProber().probe(ProbeRequest(endpoint: Endpoint(host: "no-such-host.invalid", port: 22), kind: .tcp, timeout: .seconds(5)))
        #expect(!missing.passed)
        #expect(missing.detail.hasPrefix("cannot resolve no-such-host.invalid") || missing.detail.contains("name lookup hung"), "\(missing.detail)")
    }

    @Test("latency history keeps the last 60 results with min, avg and max of the passed ones")
    func history() {
        var history = LatencyHistory()
        for index in 1...70 {
            history.record(ProbeResult(passed: index % 10 != 0, latency: .milliseconds(index), detail: ""))
        }
        #expect(history.samples.count == 60)
        #expect(history.samples.first == 11)
        #expect(history.last == nil, "the 70th failed")
        #expect(history.minimum == 11)
        #expect(history.maximum == 69)
    }
}
