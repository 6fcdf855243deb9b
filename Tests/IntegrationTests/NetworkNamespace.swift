import Foundation
import TunnelTestSupport

/// A network namespace with a veth link to this one, for faults that need packet filtering (`ip`, `nft`).
/// The server side lives at `serverAddress` inside it; this side is `hostAddress`.
struct NetworkNamespace {
    let name: String
    let hostAddress: String
    let serverAddress: String
    private let hostLink: String

    /// Whether this machine lets the tests create namespaces and nft rules (root, iproute2, nftables).
    static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")
    }

    init() throws {
        let tag = String(UInt32.random(in: 0..<0xFFFF), radix: 16)
        // Other test runs on this machine (other checkouts) make namespaces too: take a subnet no route uses yet.
        let routes = (try? Self.run(["ip", "-4", "route", "show"])) ?? ""
        let subnet = (0..<50).lazy.map { _ in Int.random(in: 1...250) }.first { !routes.contains("10.231.\($0).") }
            ?? Int.random(in: 1...250)
        name = "tt-test-\(tag)"
        hostLink = "tth\(tag)"
        hostAddress = "10.231.\(subnet).1"
        serverAddress = "10.231.\(subnet).2"
        let peer = "tts\(tag)"
        try Self.run(["ip", "netns", "add", name])
        do {
            try Self.run(["ip", "link", "add", hostLink, "type", "veth", "peer", "name", peer])
            try Self.run(["ip", "link", "set", peer, "netns", name])
            try Self.run(["ip", "addr", "add", "\(hostAddress)/30", "dev", hostLink])
            try Self.run(["ip", "link", "set", hostLink, "up"])
            try Self.run(["ip", "netns", "exec", name, "ip", "addr", "add", "\(serverAddress)/30", "dev", peer])
            try Self.run(["ip", "netns", "exec", name, "ip", "link", "set", peer, "up"])
            try Self.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"])
            try Self.run(["ip", "netns", "exec", name, "nft", "add", "table", "inet", "tunneltest"])
            for (chain, hook) in [("in", "input"), ("out", "output")] {
                try Self.run(["ip", "netns", "exec", name, "nft", "add", "chain", "inet", "tunneltest", chain,
                              "{ type filter hook \(hook) priority 0 ; policy accept ; }"])
            }
        } catch {
            remove()
            throw error
        }
    }

    /// Drops every packet of the TCP connection whose client side uses `clientPort`, both ways, as a lost
    /// CGNAT mapping does; new connections (other client ports) still pass.
    func dropConnection(clientPort: Int) throws {
        try Self.run(["ip", "netns", "exec", name, "nft", "add", "rule", "inet", "tunneltest", "in", "tcp", "sport", String(clientPort), "drop"])
        try Self.run(["ip", "netns", "exec", name, "nft", "add", "rule", "inet", "tunneltest", "out", "tcp", "dport", String(clientPort), "drop"])
    }

    /// Takes this side's address off the link and marks the subnet unreachable: connections to the server fail
    /// at once, as when the Pi has lost its network (without the route, this machine's default route would
    /// carry them elsewhere).
    func removeHostAddress() throws {
        try Self.run(["ip", "addr", "del", "\(hostAddress)/30", "dev", hostLink])
        try Self.run(["ip", "route", "add", "unreachable", "\(serverAddress)/32"])
    }

    /// Puts this side's address back and drops the unreachable route: the network returns.
    func addHostAddress() throws {
        try Self.run(["ip", "route", "del", "unreachable", "\(serverAddress)/32"])
        try Self.run(["ip", "addr", "add", "\(hostAddress)/30", "dev", hostLink])
    }

    /// Runs `body` with a fresh namespace and a loopback sshd listening inside it at ``serverAddress``; stops the
    /// sshd and removes the namespace afterwards, also when `body` throws. With `staleSessionsLinger`, the sshd's
    /// ClientAlive is long enough that the session of a client whose packets are dropped keeps its ports until
    /// the test frees them (`killSessions`).
    static func withRig<Result>(
        staleSessionsLinger: Bool = false, _ body: (NetworkNamespace, LoopbackSSHServer) async throws -> Result
    ) async throws -> Result {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let extraConfig = staleSessionsLinger ? ["ClientAliveInterval 120", "ClientAliveCountMax 3"] : LoopbackSSHServer.defaultExtraConfig
        return try await RigSupport.withRig(listenAddress: namespace.serverAddress, namespace: namespace.name, extraConfig: extraConfig) { rig in
            try await body(namespace, rig)
        }
    }

    /// Deletes the namespace and the link.
    func remove() {
        _ = try? Self.run(["ip", "route", "del", "unreachable", "\(serverAddress)/32"])
        _ = try? Self.run(["ip", "link", "del", hostLink])
        _ = try? Self.run(["ip", "netns", "del", name])
    }

    /// The local port of the established TCP connection that `pid` holds to `server:port`.
    static func clientPort(ofProcess pid: Int32, to server: String, port: Int) throws -> Int? {
        let output = try run(["ss", "-tnpH", "state", "established", "dst", "\(server):\(port)"])
        for line in output.split(separator: "\n") where line.contains("pid=\(pid),") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, let colon = fields[2].lastIndex(of: ":") else { continue }
            return Int(fields[2][fields[2].index(after: colon)...])
        }
        return nil
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let (status, text) = try runProgram("/usr/bin/env", arguments)
        guard status == 0 else {
            throw CommandFailed(description: "\(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}
