/// The config file `tunnel-tui init` writes: a `[defaults]` table with the server and key, one `[[tunnel]]`
/// per spec. Every value is written as a TOML string or integer, escaped, so no answer can add a key.
struct InitConfigText {
    let server: String
    let serverPort: Int?
    let identityFile: String?
    let tunnels: [InitTunnelSpec]

    var text: String {
        var lines = [
            "# Written by tunnel-tui init. Every key, with comments: /usr/share/doc/tunnel-tui/config.example.toml",
            "# (or config.example.toml in the source). Check after editing: tunnel-tui config check",
            "",
            "[defaults]",
            "server = \(Self.quoted(server))",
        ]
        if let serverPort { lines.append("server_port = \(serverPort)") }
        if let identityFile { lines.append("identity_file = \(Self.quoted(identityFile))") }
        for tunnel in tunnels {
            lines += [
                "",
                "[[tunnel]]",
                "name = \(Self.quoted(tunnel.name))",
                "remote = " + (Int(tunnel.remote).map(String.init) ?? Self.quoted(tunnel.remote)),
                "local = \(Self.quoted("\(tunnel.localHost):\(tunnel.localPort)"))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
