/// Where a reverse tunnel listens on the server: `[bind_address:]port`.
public struct RemoteBinding: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The address the server binds, or nil for the server's default (loopback unless `GatewayPorts yes`).
    public var bindAddress: String?
    /// The listening port on the server.
    public var port: Int

    /// Creates a binding.
    public init(bindAddress: String?, port: Int) {
        self.bindAddress = bindAddress
        self.port = port
    }

    /// `bind:port` or `port`, as written in the config.
    public var description: String {
        guard let bindAddress else { return "\(port)" }
        return bindAddress.contains(":") ? "[\(bindAddress)]:\(port)" : "\(bindAddress):\(port)"
    }

    /// Whether the binding listens on every address of the server.
    var isWildcard: Bool {
        guard let bindAddress else { return false }
        return ["", "*", "0.0.0.0", "::"].contains(bindAddress)
    }

    /// The bind addresses that all mean the server's loopback interface.
    static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// Whether two bindings on the same server would fight over the same socket.
    func collides(with other: RemoteBinding) -> Bool {
        guard port == other.port else { return false }
        if isWildcard || other.isWildcard { return true }
        let mine = bindAddress ?? "localhost"
        let theirs = other.bindAddress ?? "localhost"
        if Self.loopbackNames.contains(mine) && Self.loopbackNames.contains(theirs) { return true }
        return mine == theirs
    }
}
