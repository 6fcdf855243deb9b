import FoundationEssentials
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Publishes the metrics the two ways a Pi user scrapes them: a file for node_exporter's textfile collector
/// (written to a temporary file and renamed, so a scrape never sees half of it), and `/metrics` over HTTP on a
/// loopback address. The HTTP side is a ``MetricsEndpoint`` on the event loop: one GET, one reply.
public final class MetricsExporter: Sendable {
    private let writer: Task<Void, Never>?
    private let endpoint: MetricsEndpoint?

    /// Starts what `config` asks for; returns nil when it asks for nothing.
    public static func start(config: Config, manager: TunnelManager, logger: Logger) throws -> MetricsExporter? {
        guard config.metricsTextfileDir != nil || config.metricsListen != nil else { return nil }
        return try MetricsExporter(config: config, manager: manager, logger: logger)
    }

    private init(config: Config, manager: TunnelManager, logger: Logger) throws {
        if let directory = config.metricsTextfileDir {
            let interval = config.metricsInterval
            writer = Task {
                while !Task.isCancelled {
                    let text = manager.metrics.exposition(await manager.snapshot())
                    do {
                        try Self.writeAtomically(text, to: "\(directory)/tunnel-tui.prom")
                    } catch {
                        logger.error("metrics: cannot write \(directory)/tunnel-tui.prom: \(error)")
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        } else {
            writer = nil
        }
        if let endpoint = config.metricsListen {
            let descriptor = try TCPListener(host: endpoint.host, port: endpoint.port, backlog: 64).descriptor
            self.endpoint = MetricsEndpoint(listener: descriptor) { manager.metrics.exposition(await manager.snapshot()) }
            logger.notice("metrics: serving http://\(endpoint)/metrics")
        } else {
            self.endpoint = nil
        }
    }

    /// Stops writing and serving.
    public func stop() {
        writer?.cancel()
        endpoint?.stop()
    }

    /// Writes `text` to a new temporary file beside `path`, then renames it over `path` (so a scrape never sees
    /// half of it). The temporary file gets a random name and is created exclusively without following links
    /// (`O_CREAT|O_EXCL|O_NOFOLLOW`): a symlink planted in a directory others can write to is never followed,
    /// and `rename` replaces a link at `path` itself rather than writing through it.
    static func writeAtomically(_ text: String, to path: String) throws(MetricsWriteError) {
        var descriptor: Int32 = -1
        var temporary = ""
        for _ in 0..<8 {
            temporary = "\(path).\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 36)).tmp"
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw MetricsWriteError(path: path, step: "create \(temporary)", errno: errno) }
        _ = fchmod(descriptor, 0o644)  // whatever the umask: node_exporter reads it as another user
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let error = MetricsWriteError(path: path, step: "write \(temporary)", errno: errno)
                close(descriptor)
                unlink(temporary)
                throw error
            }
            offset += written
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = MetricsWriteError(path: path, step: "rename \(temporary) to it", errno: errno)
            unlink(temporary)
            throw error
        }
    }
}
