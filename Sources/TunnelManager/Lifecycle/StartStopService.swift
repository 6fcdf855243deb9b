/// A service made of two steps: `start` when the group starts it (in order), `stop` when the group asks it
/// to stop (in reverse order) or its task is cancelled. The manager, the control socket, the metrics
/// exporter and the network monitor are all this shape.
public struct StartStopService: Service {
    /// Its name in logs and errors.
    public let name: String
    private let starting: @Sendable () async throws -> Void
    private let stopping: @Sendable () async -> Void

    /// Creates a service named `name` that runs `start`, waits for the group's request to stop, then runs `stop`.
    public init(_ name: String, start: @escaping @Sendable () async throws -> Void = {}, stop: @escaping @Sendable () async -> Void = {}) {
        self.name = name
        starting = start
        stopping = stop
    }

    /// Runs `start`.
    public func start() async throws {
        try await starting()
    }

    /// Waits for the request to stop, then runs `stop`.
    public func run() async throws {
        await GracefulShutdown.wait()
        await stopping()
    }
}
