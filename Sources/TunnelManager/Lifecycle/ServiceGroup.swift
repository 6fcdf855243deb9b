import Logging

/// Runs a supervisor's services together and stops them in one order: modelled on swift-service-lifecycle's
/// `ServiceGroup`, in a few lines and without its dependencies.
///
/// The services start in the order given (``Service/start()``, one after the other), then each runs in its
/// own child task. When one returns or throws, or ``triggerGracefulShutdown()`` is called (a signal, say),
/// the group asks the others to stop one at a time in reverse order, each finished before the next is asked
/// (``GracefulShutdown``). ``run()`` then returns, or rethrows the first error a service threw. A service
/// whose start fails stops the ones started before it, and the rest never start. Cancelling the task of
/// ``run()`` cancels every service. A group runs once.
public final class ServiceGroup: Sendable {
    private enum Event: Sendable {
        case finished(index: Int, error: (any Error)?)
        case shutdownRequested
    }

    private let services: [any Service]
    private let logger: Logger
    private let events = AsyncStream<Event>.makeStream()
    private let shutdowns: [GracefulShutdown]

    /// Creates a group of `services`, started in this order and stopped in the reverse one.
    public init(services: [any Service], logger: Logger) {
        self.services = services
        self.logger = logger
        shutdowns = services.map { _ in GracefulShutdown() }
    }

    /// Asks every running service to stop, last first; does nothing more when the group is already stopping.
    public func triggerGracefulShutdown() {
        events.continuation.yield(.shutdownRequested)
    }

    /// Starts and runs every service until they have all ended; throws the first error one of them threw.
    public func run() async throws {
        var firstError: (any Error)?
        var started = 0
        for service in services {
            do {
                try await service.start()
                started += 1
            } catch {
                logger.debug("\(service.name) did not start: \(error)")
                firstError = error
                triggerGracefulShutdown()
                break
            }
        }
        let running = services.prefix(started)
        await withTaskGroup(of: Void.self) { group in
            for (index, service) in running.enumerated() {
                let shutdown = shutdowns[index]
                let events = self.events.continuation
                group.addTask {
                    do {
                        try await GracefulShutdown.$current.withValue(shutdown) { try await service.run() }
                        events.yield(.finished(index: index, error: nil))
                    } catch {
                        events.yield(.finished(index: index, error: error))
                    }
                }
            }
            var unfinished = Set(running.indices)
            var iterator = events.stream.makeAsyncIterator()
            func record(_ event: Event?) {
                guard case .finished(let index, let error)? = event else { return }
                unfinished.remove(index)
                if let error {
                    // The first error is rethrown (and reported by whoever runs the group); later ones are logged.
                    if firstError == nil { firstError = error } else { logger.error("\(services[index].name) failed: \(error)") }
                } else {
                    logger.debug("\(services[index].name) ended")
                }
            }
            // Until the first service ends or a stop is asked for...
            if !unfinished.isEmpty { record(await iterator.next()) }
            // ...then the others, last first, each one finished before the next is asked.
            for index in running.indices.reversed() where unfinished.contains(index) {
                shutdowns[index].request()
                while unfinished.contains(index) {
                    guard let event = await iterator.next() else { return }
                    record(event)
                }
            }
        }
        events.continuation.finish()
        if let firstError { throw firstError }
    }
}
