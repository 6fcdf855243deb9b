import ArgumentParser
import Foundation
import TunnelManager

/// The instance (daemon or dashboard) a command talks to: the one on `--socket` (or the default socket),
/// and, when `--config` is given, only if it supervises that file.
struct RunningInstance {
    let socket: SocketOptions
    let config: String?

    /// What went wrong reaching the instance, in words that say what to do.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends `request` and returns the reply; throws ``Failure`` when nothing answers or another config is
    /// served there.
    func send(_ request: ControlRequest, timeoutSeconds: Int = 30) throws(Failure) -> ControlResponse {
        let reply: ControlResponse
        do {
            reply = try ControlClient.send(request, path: socket.path, timeoutSeconds: timeoutSeconds)
        } catch {
            throw Failure(description: TerminalText.sanitize("\(error)"))
        }
        if let config, let instance = reply.instance {
            let wanted = URL(fileURLWithPath: config).standardizedFileURL.path
            let served = URL(fileURLWithPath: instance.config).standardizedFileURL.path
            guard wanted == served else {
                throw Failure(description: TerminalText.sanitize(
                    "\(socket.path) is served by \(instance.mode) pid \(instance.pid) supervising \(served), not \(wanted); pass the --socket of the instance that supervises it"))
            }
        }
        return reply
    }
}
