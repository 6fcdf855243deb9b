import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Runs alert hooks off the manager's path: one at a time per server (so never two at once for one tunnel,
/// and a `down` always finishes before its `up` starts), each with a time limit, and at most
/// ``maximumWaiting`` events waiting behind a stuck hook (the oldest is dropped, with a log line).
public actor AlertHookRunner {
    /// What the runner has to say about a run, for the tunnels' logs and the daemon's log.
    public struct Report: Sendable, Hashable {
        /// The tunnels the event named.
        public var tunnels: [String]
        /// The line to log (already sanitised).
        public var text: String
        /// Whether it is a problem (a failed, hung or dropped hook) rather than a note.
        public var isProblem: Bool
    }

    /// Events that may wait per server while a hook runs.
    public static let maximumWaiting = 8

    private var timeout: Duration
    private let host: String
    private let report: @Sendable (Report) async -> Void
    private var waiting: [String: [AlertEvent]] = [:]
    private var workers: [String: Task<Void, Never>] = [:]
    private var finished: [AlertEvent] = []

    /// A runner that kills a hook after `timeout` and tells `report` what happened.
    public init(timeout: Duration, host: String = AlertHookRunner.hostName(), report: @escaping @Sendable (Report) async -> Void) {
        self.timeout = timeout
        self.host = host
        self.report = report
    }

    /// Changes the time limit of hooks started from now on.
    public func setTimeout(_ timeout: Duration) {
        self.timeout = timeout
    }

    /// Queues `event`; its hook runs after the hooks queued before it for the same server.
    public func send(_ event: AlertEvent) {
        let key = event.server
        var queue = waiting[key, default: []]
        if queue.count >= Self.maximumWaiting {
            let dropped = queue.removeFirst()
            let line = "\(queue.count + 1) alerts wait behind a hook that is still running; dropped the oldest (\(dropped.summary))"
            Task { [report] in await report(Report(tunnels: dropped.tunnels.map(\.name), text: line, isProblem: true)) }
        }
        queue.append(event)
        waiting[key] = queue
        guard workers[key] == nil else { return }
        workers[key] = Task { await self.drain(key) }
    }

    /// Runs one event's hook now and returns how it ended (what `tunnel-tui alert test` uses).
    public static func run(_ event: AlertEvent, host: String = hostName(), timeout: Duration, time: Double) async -> HookProcess.Outcome {
        let message = AlertMessage(event: event, host: host, time: time)
        return await HookProcess.run(command: event.command, environment: message.environment, input: message.json, timeout: timeout)
    }

    /// Stops every running hook (its process group gets SIGTERM, then SIGKILL) and drops what waits.
    public func stop() {
        waiting = [:]
        for worker in workers.values { worker.cancel() }
        workers = [:]
    }

    /// Waits until no hook runs and none waits (for tests and orderly shutdown).
    public func idle() async {
        while let worker = workers.values.first {
            await worker.value
        }
    }

    private func next(_ key: String) -> AlertEvent? {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            workers[key] = nil
            return nil
        }
        let event = queue.removeFirst()
        waiting[key] = queue
        return event
    }

    private func drain(_ key: String) async {
        while !Task.isCancelled, let event = next(key) {
            let outcome = await Self.run(event, host: host, timeout: timeout, time: Self.wallClock())
            await tell(event, outcome)
        }
    }

    private func tell(_ event: AlertEvent, _ outcome: HookProcess.Outcome) async {
        let names = event.tunnels.map(\.name)
        let program = event.command.first ?? ""
        for line in outcome.lines {
            await report(Report(tunnels: names, text: "hook said: \(line)", isProblem: false))
        }
        if outcome.droppedLines > 0 {
            await report(Report(tunnels: names, text: "hook said \(outcome.droppedLines) more lines (not kept)", isProblem: false))
        }
        let text: String
        if outcome.timedOut {
            text = "\(event.kind.rawValue) hook \(program) \(outcome.description); "
                + "it must finish within timeout (\(DurationParser.format(timeout))): set a shorter timeout on curl/mail or raise [alerts] timeout"
        } else if outcome.succeeded {
            text = "\(event.summary): sent (\(program): \(outcome.description))"
        } else if case .launchFailed = outcome.exit {
            text = "\(event.kind.rawValue) hook \(program) \(outcome.description); fix [alerts] command and test it with tunnel-tui alert test"
        } else {
            text = "\(event.kind.rawValue) hook \(program) failed with \(outcome.description); test it with tunnel-tui alert test"
        }
        await report(Report(tunnels: names, text: TerminalText.sanitize(text), isProblem: !outcome.succeeded))
    }

    /// This machine's host name.
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Seconds since 1970, for the event's time.
    static func wallClock() -> Double {
        Date().timeIntervalSince1970
    }
}
