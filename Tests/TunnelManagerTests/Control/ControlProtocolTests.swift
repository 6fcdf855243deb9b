import Foundation
import Testing
@testable import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// The typed control protocol: requests and replies through the coder, and the error a bad line gets.
@Suite("control protocol: typed requests and replies")
struct ControlProtocolTests {
    static let everyRequest: [ControlRequest] = [
        .status, .log(tunnel: "web"), .start(tunnel: "web"), .stop(tunnel: "web"), .restart(tunnel: "web"),
        .startAll, .stopAll, .reload, .subscribe,
    ]

    private static func line(_ request: ControlRequest) throws -> String {
        String(decoding: try ControlCoding.encoder().encode(request), as: UTF8.self)
    }

    private static func decode(_ line: String) throws -> ControlRequest {
        try ControlCoding.decoder().decode(ControlRequest.self, from: Data(line.utf8))
    }

    private static func protocolError(_ line: String) -> ControlProtocolError? {
        do {
            _ = try decode(line)
            return nil
        } catch {
            return error as? ControlProtocolError
        }
    }

    @Test("every request round-trips through the coder, and every command has one")
    func requestsRoundTrip() throws {
        for request in Self.everyRequest {
            #expect(try Self.decode(try Self.line(request)) == request, "\(request)")
        }
        #expect(Set(Self.everyRequest.map(\.command)) == Set(ControlCommand.allCases))
    }

    @Test("the wire format is the one earlier clients and daemons speak")
    func wireFormat() throws {
        #expect(try Self.line(.stop(tunnel: "web")) == #"{"command":"stop","name":"web","version":1}"#)
        #expect(try Self.line(.startAll) == #"{"command":"start-all","version":1}"#)
        #expect(try Self.decode(#"{"version":1,"command":"subscribe"}"#) == .subscribe)
        #expect(try Self.decode(#"{"version":1,"command":"restart","name":"a b"}"#) == .restart(tunnel: "a b"))
    }

    @Test("an unknown command, another version or a missing name is a protocol error that says what to send")
    func badRequests() {
        let unknown = Self.protocolError(#"{"version":1,"command":"format-disk"}"#)
        #expect(unknown == .unknownCommand("format-disk"))
        #expect(unknown?.description.contains("known: status, log, start, stop, restart, start-all, stop-all, reload, subscribe") == true)
        let version = Self.protocolError(#"{"version":9,"command":"status"}"#)
        #expect(version == .unsupportedVersion(9))
        #expect(version?.description.contains("protocol version 9 not supported (this instance speaks 1)") == true)
        #expect(Self.protocolError(#"{"version":1,"command":"stop"}"#) == .missingTunnel(.stop))
        #expect(Self.protocolError(#"{"version":1,"command":"log","name":""}"#) == .missingTunnel(.log))
        #expect(Self.protocolError("this is not json") == nil, "malformed JSON is the decoder's error, answered as malformed")
    }

    @Test("replies round-trip: a snapshot, a reload and a failure")
    func repliesRoundTrip() throws {
        let instance = ControlInstance(pid: 42, mode: "daemon", config: "/etc/tunnel-tui/config.toml")
        let tunnel = TunnelStatus(
            name: "web", server: "tunnel@vps", remote: "vps:8080", local: "127.0.0.1:80", publicEndpoint: "vps:8080",
            state: .up, cause: nil, hint: nil, causeNeedsUser: false, pid: 7, since: Date(timeIntervalSince1970: 1_700_000_000),
            uptimeSeconds: 3, restarts: 1, retryInSeconds: nil, latencyMilliseconds: 1.5, latencyHistory: [1.5, nil],
            latencyMinimum: 1.5, latencyAverage: 1.5, latencyMaximum: 1.5, command: ["ssh"], recentLog: [], autostart: true)
        var summary = ReloadSummary()
        summary.added = ["web"]
        let replies: [ControlResponse] = [
            .tunnels([tunnel], instance: instance), .tunnels([], instance: instance),
            .reloaded(summary, tunnels: [tunnel], instance: instance), .failure("no tunnel named \"x\""),
        ]
        for reply in replies {
            let data = try ControlCoding.encoder().encode(reply)
            #expect(try ControlCoding.decoder().decode(ControlResponse.self, from: data) == reply)
        }
        let failure = String(decoding: try ControlCoding.encoder().encode(ControlResponse.failure("boom")), as: UTF8.self)
        #expect(failure == #"{"error":"boom","ok":false,"version":1}"#)
    }

    @Test("a reply of another protocol version is a clear error naming the instance")
    func replyVersionMismatch() throws {
        let line = #"{"version":2,"ok":true,"instance":{"pid":9,"mode":"daemon","config":"c","version":"9.9"},"tunnels":[]}"#
        #expect(throws: ControlError.self) { try ControlClient.decodeReply(Array(line.utf8), path: "/run/x.sock") }
        do {
            _ = try ControlClient.decodeReply(Array(line.utf8), path: "/run/x.sock")
        } catch {
            #expect("\(error)".contains("/run/x.sock (daemon pid 9, tunnel-tui 9.9) speaks control protocol 2"), "\(error)")
            #expect("\(error)".contains("use the tunnel-tui binary that runs it"), "\(error)")
        }
    }

    @Test("a server answers a bad line with an error and keeps the connection for the next request")
    func serverKeepsConnection() throws {
        let directory = NSTemporaryDirectory() + "tt-protocol-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/control.sock"
        let instance = ControlInstance(pid: getpid(), mode: "daemon", config: "test.toml")
        let server = try ControlServer(path: path, instance: instance, handler: { request in
            request == .status ? .tunnels([], instance: instance) : .failure("only status here")
        }, updates: { AsyncStream { $0.finish() } })
        defer {
            server.stop()
            server.releaseLock()
        }
        let client = try ControlClient.connect(path: path, timeoutSeconds: 30)  // generous: a loaded machine stalls for seconds
        defer { close(client) }
        var pending: [UInt8] = []
        func exchange(_ line: String) -> String {
            _ = SocketAddress.writeAll(client, Array((line + "\n").utf8))
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !pending.contains(10) {
                let count = recv(client, &buffer, buffer.count, 0)
                if count <= 0 { return "" }
                pending += buffer[0..<count]
            }
            let newline = pending.firstIndex(of: 10) ?? pending.endIndex
            defer { pending.removeSubrange(...newline) }
            return String(decoding: pending[..<newline], as: UTF8.self)
        }
        #expect(exchange("this is not json").contains("malformed request"))
        #expect(exchange(#"{"version":1,"command":"format-disk"}"#).contains(#"unknown command \"format-disk\""#))
        #expect(exchange(#"{"version":1,"command":"stop"}"#).contains("stop needs a tunnel name"))
        let status = exchange(#"{"version":1,"command":"status"}"#)
        let reply = try ControlCoding.decoder().decode(ControlResponse.self, from: Data(status.utf8))
        #expect(reply == .tunnels([], instance: instance))
    }
}
