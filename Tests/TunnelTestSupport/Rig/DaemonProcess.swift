import Foundation
import TunnelManager

/// `tunnel-tui daemon` run as a user would, with its stderr in a file (a pipe nobody reads would fill up).
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: the Process is only started in init and then read (pid, status), as Foundation allows.
    /// The running daemon (its status once it has exited).
    public let process = Process()
    /// The daemon's control socket.
    public let socket: String
    private let logPath: String

    /// Starts the daemon on `config` with its control socket at `socket`; `launcher` (e.g. `prlimit --nofile=48 --`)
    /// runs it, when given.
    public init(config: String, socket: String, launcher: [String] = [], arguments: [String] = []) throws {
        self.socket = socket
        logPath = socket + ".log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let command = launcher + [RigSupport.binary, "daemon", "--config", config, "--socket", socket] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
    }

    /// Everything the daemon logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The daemon's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Waits until the control socket answers.
    public func waitUntilServing() async -> Bool {
        await RigSupport.eventually(timeout: .seconds(20)) { [socket] in
            (try? ControlClient.send(.status, path: socket, timeoutSeconds: 2)) != nil
        }
    }

    /// SIGTERM, then waits for the exit.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }
}

/// Runs `body`, which blocks (waits for a process), on a dispatch thread instead of the concurrency pool: the
/// pool has one thread per core (two in CI), and two blocked test bodies would stall every other test's
/// tasks, the supervisor's among them.
public func offThePool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Swift.Result { try body() }) }
    }
}

/// Runs the `tunnel-tui` binary to completion and returns its exit status and output.
public func runTunnelTUI(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
    try await offThePool { try runTunnelTUIBlocking(arguments) }
}

private func runTunnelTUIBlocking(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: RigSupport.binary)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

/// Runs the `tunnel-tui` binary, killing it if it has not ended within `timeout` (`timedOut` then says so).
public func runTunnelTUI(_ arguments: [String], timeout: Duration) async throws -> (status: Int32, output: String, error: String, timedOut: Bool) {
    try await offThePool { try runTunnelTUIBlocking(arguments, timeout: timeout) }
}

private func runTunnelTUIBlocking(_ arguments: [String], timeout: Duration) throws -> (status: Int32, output: String, error: String, timedOut: Bool) {
    let directory = NSTemporaryDirectory() + "tt-run-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    FileManager.default.createFile(atPath: "\(directory)/out", contents: nil)
    FileManager.default.createFile(atPath: "\(directory)/err", contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: RigSupport.binary)
    process.arguments = arguments
    process.standardOutput = FileHandle(forWritingAtPath: "\(directory)/out")
    process.standardError = FileHandle(forWritingAtPath: "\(directory)/err")
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
    let timedOut = process.isRunning
    if timedOut {
        kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    let output = (try? String(contentsOfFile: "\(directory)/out", encoding: .utf8)) ?? ""
    let error = (try? String(contentsOfFile: "\(directory)/err", encoding: .utf8)) ?? ""
    return (process.terminationStatus, output, error, timedOut)
}
