import Foundation
import TunnelManager

/// `tunnel-tui daemon` run as a user would, with its stderr in a file (a pipe nobody reads would fill up).
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: the Process is only started in init and then read (pid, status), as Foundation allows.
    public let process = Process()
    public let socket: String
    private let logPath: String

    /// Starts the daemon on `config` with its control socket at `socket`.
    public init(config: String, socket: String) throws {
        self.socket = socket
        logPath = socket + ".log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: RigSupport.binary)
        process.arguments = ["daemon", "--config", config, "--socket", socket]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
    }

    /// Everything the daemon logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public var pid: Int32 { process.processIdentifier }

    /// Waits until the control socket answers.
    public func waitUntilServing() async -> Bool {
        await RigSupport.eventually(timeout: .seconds(20)) { [socket] in
            (try? ControlClient.send(ControlRequest(command: "status"), path: socket, timeoutSeconds: 2)) != nil
        }
    }

    /// SIGTERM, then waits for the exit.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }
}

/// Runs the `tunnel-tui` binary to completion and returns its exit status and output.
public func runTunnelTUI(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
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
