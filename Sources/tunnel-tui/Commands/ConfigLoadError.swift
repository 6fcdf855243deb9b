/// The config file could not be found, read or validated; the description names the file, line, tunnel and
/// key of every problem (``TunnelManager/ConfigError`` and the locator's messages already say what to do).
struct ConfigLoadError: CommandError {
    /// The locator's or loader's error.
    let underlying: any Error

    var description: String { "\(underlying)" }
}
