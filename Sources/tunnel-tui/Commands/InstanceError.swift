import TunnelManager

/// Why a command that talks to the running instance (status, start, stop, restart, reload) did not get
/// what it asked for.
enum InstanceError: CommandError {
    /// No candidate socket answered, or none that answered supervises `--config`: each one's reason
    /// (which already says what to do). Exit status 3, as `status` does.
    case unreachable(ControlRequest, reasons: [String])
    /// The instance answered and refused the request; its reason.
    case refused(ControlRequest, reason: String)

    var exitStatus: Int32 {
        switch self {
        case .unreachable: HealthVerdict.unknown.rawValue
        case .refused: 1
        }
    }

    var description: String {
        switch self {
        case .unreachable(let request, let reasons):
            let text = reasons.isEmpty ? "no control socket to try; pass --socket" : reasons.joined(separator: "; ")
            return request == .reload ? "no reload: \(text)" : text
        case .refused(_, let reason):
            return reason
        }
    }
}
