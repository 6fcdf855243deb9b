import ArgumentParser
import Foundation
import TunnelManager

/// The instance (daemon or dashboard) a command talks to: the one on `--socket`, or the first that answers
/// of this user's socket and the system daemon's; when `--config` is given, only one that supervises that file.
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
        let (reply, path) = try firstAnswer(request, timeoutSeconds: timeoutSeconds)
        if let config, let instance = reply.instance {
            let wanted = URL(fileURLWithPath: config).standardizedFileURL.path
            let served = URL(fileURLWithPath: instance.config).standardizedFileURL.path
            guard wanted == served else {
                throw Failure(description: TerminalText.sanitize(
                    "\(path) is served by \(instance.mode) pid \(instance.pid) supervising \(served), not \(wanted); pass the --socket of the instance that supervises it"))
            }
        }
        return reply
    }

    /// The reply of the first socket that answers, and its path.
    func firstAnswer(_ request: ControlRequest, timeoutSeconds: Int = 30) throws(Failure) -> (ControlResponse, String) {
        var failures: [String] = []
        for path in socket.clientPaths {
            do {
                return (try ControlClient.send(request, path: path, timeoutSeconds: timeoutSeconds), path)
            } catch {
                failures.append(TerminalText.sanitize("\(error)"))
            }
        }
        throw Failure(description: failures.joined(separator: "; "))
    }
}
