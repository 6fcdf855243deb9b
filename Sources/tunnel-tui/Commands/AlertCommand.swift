import ArgumentParser

/// `tunnel-tui alert`: work with the alert hook.
struct AlertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Work with the alert hook ([alerts] in the config).",
        subcommands: [AlertTestCommand.self])
}
