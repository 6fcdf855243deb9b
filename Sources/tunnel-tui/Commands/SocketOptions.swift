import ArgumentParser
import TunnelManager

/// The `--socket PATH` option of the commands that serve or use the control socket.
struct SocketOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Control socket. Default: $TUNNEL_TUI_SOCKET, else $XDG_RUNTIME_DIR/tunnel-tui/control.sock (/run/tunnel-tui/control.sock for root); clients then try the system daemon's /run/tunnel-tui/control.sock.",
        valueName: "path"))
    var socket: String?

    /// Where to serve (daemon, dashboard).
    var path: String { socket ?? ControlSocketPath.default() }

    /// Where to look for a running instance, in order (status, start, stop, reload, an attaching dashboard).
    var clientPaths: [String] { socket.map { [$0] } ?? ControlSocketPath.candidates() }
}
