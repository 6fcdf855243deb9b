import Synchronization
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// The control socket as a service: started first (it takes the single-instance lock, so a second
/// supervisor refuses before it starts any ssh), stopped last (so the lock is given up only after every
/// ssh child has ended).
final class ControlSocketService: Service {
    let name = "control socket"
    private let path: String
    private let sharedGroup: gid_t?
    private let control: ControlService
    private let server = Mutex<ControlServer?>(nil)

    /// A service that serves `control` on `path` (0660 for `sharedGroup` when given).
    init(path: String, sharedGroup: gid_t?, control: ControlService) {
        self.path = path
        self.sharedGroup = sharedGroup
        self.control = control
    }

    /// Checks the socket's directory, takes the lock and starts serving; throws when another instance serves it.
    func start() throws(SupervisorError) {
        do {
            let served = try ControlServer(path: path, instance: control.instance, sharedGroup: sharedGroup, handler: control.handle, updates: control.updates)
            server.withLock { $0 = served }
        } catch {
            throw .controlSocket(error)
        }
    }

    /// Serves until asked to stop, then closes every client, removes the socket and gives up the lock.
    func run() async {
        await GracefulShutdown.wait()
        guard let served = server.withLock({ $0 }) else { return }
        served.stop()
        served.releaseLock()
    }
}
