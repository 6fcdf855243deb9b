/// A validated configuration file: its tunnels in file order, and warnings worth showing.
public struct Config: Sendable, Hashable {
    /// The file the configuration was read from.
    public var path: String
    /// The tunnels, in the order of the file.
    public var tunnels: [TunnelConfig]
    /// Problems that do not stop the tunnels from running (a key readable by others).
    public var warnings: [String]
    /// Directory for node_exporter's textfile collector, when set.
    public var metricsTextfileDir: String?
    /// Loopback address serving `/metrics`, when set.
    public var metricsListen: Endpoint?
    /// How often the metrics file is rewritten.
    public var metricsInterval: Duration = .seconds(15)
    /// The `[alerts]` table and each tunnel's alert keys (alerts are off without a `command`).
    public var alerts = AlertSettings()

    /// Creates a configuration from already validated tunnels.
    public init(path: String, tunnels: [TunnelConfig], warnings: [String] = []) {
        self.path = path
        self.tunnels = tunnels
        self.warnings = warnings
    }
}
