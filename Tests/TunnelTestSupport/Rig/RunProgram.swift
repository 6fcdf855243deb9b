import Foundation

/// Runs `program` with `arguments` to its end, stdin closed (reading it gets end of file), and returns its
/// exit status and what it wrote to stdout and stderr together; `environment` replaces the test's own when
/// given. It blocks: an async test calls it through ``offThePool(_:)`` when the program may take long.
public func runProgram(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardInput = FileHandle.nullDevice
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
