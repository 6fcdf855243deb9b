import ArgumentParser
import TunnelManager

/// The `--socket PATH` option of the commands that serve or use the control socket.
struct SocketOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Control socket. Default: $TUNNEL_TUI_SOCKET, $XDG_RUNTIME_DIR/tunnel-tui/control.sock, or /run/tunnel-tui/control.sock for root.",
        valueName: "path"))
    var socket: String?

    var path: String { socket ?? ControlSocketPath.default() }
}
