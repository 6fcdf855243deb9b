import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Publishes the metrics the two ways a Pi user scrapes them: a file for node_exporter's textfile collector
/// (written to a temporary file and renamed, so a scrape never sees half of it), and `/metrics` over HTTP on a
/// loopback address. The HTTP side is a few lines of POSIX sockets on its own thread: one GET, one reply.
public final class MetricsExporter: Sendable {
    private let writer: Task<Void, Never>?
    private let listener: Int32?

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
            let descriptor = try TCPListener(host: endpoint.host, port: endpoint.port, backlog: 16).descriptor
            listener = descriptor
            Thread.detachNewThread { Self.serve(descriptor, manager: manager) }
            logger.notice("metrics: serving http://\(endpoint)/metrics")
        } else {
            listener = nil
        }
    }

    /// Stops writing and serving.
    public func stop() {
        writer?.cancel()
        if let listener {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    /// Writes `text` to a temporary file beside `path`, then renames it over `path`.
    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = "\(path).\(getpid()).tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
        }
    }

    private static func serve(_ listener: Int32, manager: TunnelManager) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            SocketAddress.setTimeouts(client, seconds: 5)
            var buffer = [UInt8](repeating: 0, count: 8192)
            let count = recv(client, &buffer, buffer.count, 0)
            let requestLine = count > 0 ? String(decoding: buffer[0..<count].prefix { $0 != 13 && $0 != 10 }, as: UTF8.self) : ""
            let reply: String
            if requestLine.hasPrefix("GET /metrics ") || requestLine == "GET /metrics" {
                let body = exposition(manager)
                reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            } else {
                reply = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 22\r\nConnection: close\r\n\r\nonly /metrics is here\n"
            }
            _ = SocketAddress.writeAll(client, Array(reply.utf8))
            close(client)
        }
    }

    /// The exposition, fetched from the manager for this (dedicated, non-cooperative) thread.
    private static func exposition(_ manager: TunnelManager) -> String {
        let result = SharedValue("")
        let done = DispatchSemaphore(value: 0)
        Task {
            let text = manager.metrics.exposition(await manager.snapshot())
            result.update { $0 = text }
            done.signal()
        }
        done.wait()
        return result.value
    }
}
