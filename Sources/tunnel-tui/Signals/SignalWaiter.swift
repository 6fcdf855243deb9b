import Dispatch
import Foundation

/// Turns POSIX signals into an async sequence of signal numbers; the default action is disabled for them.
final class SignalWaiter: Sendable {
    private let stream: AsyncStream<Int32>
    private nonisolated(unsafe) let sources: [DispatchSourceSignal]

    /// Starts catching `signals` at once (before anything else can be disturbed by them).
    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        var sources: [DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        // The sources are only kept alive here and never mutated after init, so sharing them is safe.
        self.sources = sources
    }

    /// Waits for the next signal.
    func next() async -> Int32 {
        for await number in stream { return number }
        return SIGTERM
    }
}
