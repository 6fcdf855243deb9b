import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// Prometheus exposition from a daemon against a real sshd: the textfile and the /metrics endpoint.
@Suite("real sshd: metrics", .serialized)
struct MetricsTests {
    /// Checks the text exposition format line by line; returns the samples as `name{labels}` -> value.
    static func parse(_ text: String) -> (samples: [String: Double], problems: [String]) {
        var samples: [String: Double] = [:]
        var problems: [String] = []
        var typed: Set<String> = []
        let sample = #/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|\+Inf|NaN)$/#
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count != 4 || !["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) {
                    problems.append("bad TYPE line: \(line)")
                }
                if parts.count > 2 { typed.insert(String(parts[2])) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let match = try? sample.wholeMatch(in: String(line)) else {
                problems.append("not a sample: \(line)")
                continue
            }
            let name = String(match.1)
            let family = ["_bucket", "_sum", "_count"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 }
            if !typed.contains(name) && !typed.contains(family) { problems.append("no TYPE for \(name)") }
            let key = String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)])
            samples[key] = Double(match.4) ?? (match.4 == "+Inf" ? .infinity : .nan)
        }
        return (samples, problems)
    }

    static func value(_ samples: [String: Double], _ name: String, _ labels: [String: String]) -> Double? {
        samples.first { key, _ in
            key.hasPrefix(name + "{") && labels.allSatisfy { key.contains("\($0.key)=\"\($0.value)\"") }
                && key.dropFirst(name.count + 1).split(separator: ",").count == max(labels.count, key.contains(",le=") ? labels.count + 1 : labels.count)
        }?.value
    }

    static func httpGet(port: Int, path: String) -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { return "" }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        _ = request.withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the textfile and /metrics parse as Prometheus exposition and carry the tunnels' values")
    func exposition() async throws {
        try await RigSupport.withRig { rig in try await exposition(rig) }
    }

    private func exposition(_ rig: LoopbackSSHServer) async throws {
        let socket = "\(rig.directory)/control.sock"
        let ports = try (0..<2).map { _ in try LoopbackSSHServer.freePort() }
        let metricsPort = try LoopbackSSHServer.freePort()
        let path = try RigSupport.writeConfig(rig, ports: ports, prefix: "m")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try ("metrics_textfile_dir = \"\(rig.directory)\"\nmetrics_listen = \"127.0.0.1:\(metricsPort)\"\nmetrics_interval = \"1s\"\n" + text)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: path, socket: socket)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing(), "\(daemon.log)")
        #expect(await RigSupport.eventually { (try? await runTunnelTUI(["status", "--socket", socket]).status) == 0 })
        #expect(try await runTunnelTUI(["restart", "m1", "--socket", socket]).status == 0)
        #expect(await RigSupport.eventually { (try? await runTunnelTUI(["status", "--socket", socket]).status) == 0 })

        let file = "\(rig.directory)/tunnel-tui.prom"
        var parsed: (samples: [String: Double], problems: [String]) = ([:], [])
        let ready = await RigSupport.eventually(timeout: .seconds(20)) {
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else { return false }
            parsed = Self.parse(contents)
            return Self.value(parsed.samples, "tunnel_restarts_total", ["tunnel": "m1"]) == 1
                && Self.value(parsed.samples, "tunnel_up", ["tunnel": "m1"]) == 1
        }
        #expect(ready, "textfile values: \(parsed.samples.filter { $0.key.contains("m1") })")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let samples = parsed.samples
        #expect(Self.value(samples, "tunnel_up", ["tunnel": "m0"]) == 1)
        #expect(Self.value(samples, "tunnel_state", ["tunnel": "m0", "state": "up"]) == 1)
        #expect(Self.value(samples, "tunnel_state", ["tunnel": "m0", "state": "failed"]) == 0)
        #expect(Self.value(samples, "tunnel_restarts_total", ["tunnel": "m0"]) == 0)
        #expect(Self.value(samples, "tunnel_probe_failures_total", ["tunnel": "m0"]) == 0)
        #expect((Self.value(samples, "tunnel_probe_latency_seconds_count", ["tunnel": "m0"]) ?? 0) >= 1)
        #expect((Self.value(samples, "tunnel_uptime_seconds", ["tunnel": "m0"]) ?? -1) >= 0)
        #expect(Self.value(samples, "tunnel_info", ["tunnel": "m0", "server": rig.destination, "remote": "127.0.0.1:\(ports[0])", "local": "127.0.0.1:\(rig.port)"]) == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(file).\(daemon.pid).tmp"), "written by rename, no temp file left")

        let response = Self.httpGet(port: metricsPort, path: "/metrics")
        #expect(response.hasPrefix("HTTP/1.1 200 OK"), "\(response.prefix(200))")
        #expect(response.contains("Content-Type: text/plain; version=0.0.4"))
        let body = String(response[(response.range(of: "\r\n\r\n")?.upperBound ?? response.endIndex)...])
        let served = Self.parse(body)
        #expect(served.problems.isEmpty, "\(served.problems)")
        #expect(Self.value(served.samples, "tunnel_up", ["tunnel": "m1"]) == 1)
        #expect(Self.value(served.samples, "tunnel_restarts_total", ["tunnel": "m1"]) == 1)
        #expect(Self.httpGet(port: metricsPort, path: "/").hasPrefix("HTTP/1.1 404"))
    }
}

/// The /metrics endpoint against idle connections (issue 14, item 7).
@Suite("real sshd: metrics endpoint under idle connections", .serialized)
struct MetricsEndpointTests {
    @Test("five idle connections do not delay a scrape")
    func idleConnectionsDoNotDelayAScrape() async throws {
        try await RigSupport.withRig { rig in
            let socketPath = "\(rig.directory)/control.sock"
            let metricsPort = try LoopbackSSHServer.freePort()
            let path = try RigSupport.writeConfig(rig, ports: [try LoopbackSSHServer.freePort()], prefix: "i")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try ("metrics_listen = \"127.0.0.1:\(metricsPort)\"\n" + text).write(toFile: path, atomically: true, encoding: .utf8)
            let daemon = try DaemonProcess(config: path, socket: socketPath)
            defer { daemon.stop() }
            #expect(await daemon.waitUntilServing(), "\(daemon.log)")
            #expect(await RigSupport.eventually { MetricsTests.httpGet(port: metricsPort, path: "/metrics").hasPrefix("HTTP/1.1 200") })
            var idle: [Int32] = []
            defer { for descriptor in idle { close(descriptor) } }
            for _ in 0..<5 {
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = UInt16(metricsPort).bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                idle.append(descriptor)
            }
            let started = ContinuousClock.now
            let response = MetricsTests.httpGet(port: metricsPort, path: "/metrics")
            let elapsed = ContinuousClock.now - started
            #expect(response.hasPrefix("HTTP/1.1 200 OK"), "\(response.prefix(200))")
            #expect(elapsed < .seconds(2), "the scrape waited \(elapsed) behind idle connections")
        }
    }
}
