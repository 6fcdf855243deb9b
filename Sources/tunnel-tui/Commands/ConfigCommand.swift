import ArgumentParser

/// `tunnel-tui config`: work with the config file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config file.",
        subcommands: [ConfigCheckCommand.self])
}
