import ArgumentParser

/// `--config` and `--socket` of the commands that talk to a running instance (status, start, stop, restart,
/// reload): which socket to ask, and, with `--config`, only an instance that supervises that file.
struct InstanceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only if the instance supervises this config file.", valueName: "path"))
    var config: String?
    @OptionGroup var socket: SocketOptions

    /// The instance these options select.
    var instance: RunningInstance { RunningInstance(socket: socket, config: config) }
}
