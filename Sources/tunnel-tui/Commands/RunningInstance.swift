import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// The instance (daemon or dashboard) a command talks to: the one on `--socket`, or the first that answers
/// of this user's socket and the system daemon's; when `--config` is given, only one that supervises that file.
struct RunningInstance {
    let socket: SocketOptions
    let config: String?

    /// Sends `request` to the selected instance and returns the reply; throws ``InstanceError/unreachable(_:reasons:)`` when none answers,
    /// or, with `--config`, when none that answers supervises that file. The request goes only to the
    /// selected instance: with `--config`, each candidate is first asked for its status.
    func send(_ request: ControlRequest, timeoutSeconds: Int = 10) throws(InstanceError) -> ControlResponse {
        guard let config else { return try firstAnswer(request, timeoutSeconds: timeoutSeconds).reply }
        let path: String, status: ControlResponse
        do {
            (path, status) = try firstAnswer(.status, timeoutSeconds: timeoutSeconds, supervising: config)
        } catch {
            guard case .unreachable(_, let reasons) = error else { throw error }
            throw .unreachable(request, reasons: reasons)
        }
        if request == .status { return status }
        do {
            return try ControlClient.send(request, path: path, timeoutSeconds: timeoutSeconds)
        } catch {
            throw .unreachable(request, reasons: [TerminalText.sanitize("\(error)")])
        }
    }

    /// The first candidate that answers `request` (and, with `config`, says it supervises that file), with
    /// its reply; otherwise every candidate's failure.
    private func firstAnswer(
        _ request: ControlRequest, timeoutSeconds: Int, supervising config: String? = nil
    ) throws(InstanceError) -> (path: String, reply: ControlResponse) {
        var failures: [String] = []
        for path in socket.clientPaths {
            let reply: ControlResponse
            do {
                reply = try ControlClient.send(request, path: path, timeoutSeconds: timeoutSeconds)
            } catch {
                failures.append(TerminalText.sanitize("\(error)"))
                continue
            }
            guard let config else { return (path, reply) }
            let wanted = URL(fileURLWithPath: config).standardizedFileURL.path
            let served = reply.instance.map { URL(fileURLWithPath: $0.config).standardizedFileURL.path }
            if served == wanted { return (path, reply) }
            failures.append(TerminalText.sanitize(
                "\(path) is served by \(reply.instance.map { "\($0.mode) pid \($0.pid) supervising \(served ?? $0.config)" } ?? "an instance"), not \(wanted)"))
        }
        throw .unreachable(request, reasons: failures)
    }
}
