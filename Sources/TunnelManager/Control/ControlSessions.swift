import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The control socket's clients, served from the event loop: at most ``maximumClients`` at once (one more
/// gets a one-line error), requests answered by the async handler on a task and the reply handed back to
/// the loop, `subscribe` streams that keep only the newest snapshot for a slow reader.
final class ControlSessions: Sendable {
    /// Most clients served at once: 64, or a quarter of this process's descriptor limit where that is less,
    /// so a flood of local clients can never take the descriptors that ssh children, probes and the runtime
    /// need (libdispatch ends the process with SIGILL when it cannot open a file for its thread pool's
    /// monitor). A refused client costs one descriptor for a moment.
    static let maximumClients: Int = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 64 }
        return max(4, Int(min(64, limit.rlim_cur / 4)))
    }()
    /// A client that sends no complete request for this long is closed (subscribers are exempt while idle).
    static let idleTimeout: Duration = .seconds(10)
    /// A client that takes none of what it is sent for this long is closed.
    static let stallTimeout: Duration = .seconds(30)

    private let handler: ControlServer.Handler
    private let updates: ControlServer.Updates
    private let loop: EventLoop
    private let peers: ControlPeerPolicy
    /// Touched on the loop's thread only; the Mutex only makes that checkable.
    private let clients = Mutex<[Int32: SocketConnection]>([:])

    init(handler: @escaping ControlServer.Handler, updates: @escaping ControlServer.Updates, peers: ControlPeerPolicy, loop: EventLoop = .shared) {
        self.peers = peers
        self.handler = handler
        self.updates = updates
        self.loop = loop
    }

    /// Takes a new client (on the loop's thread).
    func accept(_ descriptor: Int32) {
        guard peers.admits(descriptor) else {
            Self.refuse(descriptor, peers.refusal)
            return
        }
        guard clients.withLock({ $0.count }) < Self.maximumClients else {
            Self.refuse(descriptor, "refused: \(Self.maximumClients) clients already connected; try again in a moment")
            return
        }
        let connection = SocketConnection(descriptor: descriptor, loop: loop, idleTimeout: Self.idleTimeout, stallTimeout: Self.stallTimeout) { [self] in
            serve($0)
        }
        connection.onClose.append { [self] in _ = clients.withLock { $0.removeValue(forKey: descriptor) } }
        clients.withLock { $0[descriptor] = connection }
        connection.start()
    }

    /// Closes every client (on the loop's thread).
    func closeAll() {
        for connection in clients.withLock({ Array($0.values) }) { connection.close() }
    }

    /// How many clients are connected.
    var count: Int { clients.withLock { $0.count } }

    private func serve(_ connection: SocketConnection) {
        while !connection.isBusy, !connection.isClosed, let newline = connection.input.firstIndex(of: 10) {
            let line = Array(connection.input[..<newline])
            connection.input.removeSubrange(...newline)
            switch Self.parse(line) {
            case .reply(let reply):
                connection.send(Self.encode(reply))
            case .request(let request):
                connection.isBusy = true
                answer(request, on: connection)
            }
        }
        if connection.input.count > ControlProtocol.maximumRequestBytes {
            connection.send(Self.encode(.failure("request larger than \(ControlProtocol.maximumRequestBytes) bytes")))
            connection.finish()
        }
    }

    /// Runs the handler on a task (never on the loop's thread) and hands the reply back to the loop.
    private func answer(_ request: ControlRequest, on connection: SocketConnection) {
        let handler = self.handler
        let updates = self.updates
        let loop = self.loop
        Task {
            let reply = await handler(request)
            let line = Self.encode(reply)
            let subscribe = request == .subscribe && reply.ok
            loop.schedule(at: .now) {
                guard !connection.isClosed else { return }
                connection.send(line)
                if subscribe { Self.stream(updates, to: connection, loop: loop) }
                connection.isBusy = false
            }
        }
    }

    /// Sends every update to a subscriber; a slow one gets the newest when it is ready, never half a line.
    private static func stream(_ updates: @escaping ControlServer.Updates, to connection: SocketConnection, loop: EventLoop) {
        connection.isStreaming = true
        let task = Task {
            for await update in await updates() {
                let line = encode(update)  // encoded here, not on the loop's thread
                loop.schedule(at: .now) { connection.sendLatest(line) }
            }
        }
        connection.onClose.append { task.cancel() }
    }

    private enum Parsed {
        case request(ControlRequest)
        case reply(ControlResponse)
    }

    /// A request, or the error reply that says why the line is not one (the connection stays open).
    private static func parse(_ line: [UInt8]) -> Parsed {
        do {
            return .request(try ControlCoding.decoder().decode(ControlRequest.self, from: Data(line)))
        } catch let error as ControlProtocolError {
            return .reply(.failure(error.description))
        } catch {
            return .reply(.failure(ControlProtocolError.malformed.description))
        }
    }

    /// Answers with one error line (if the socket takes it now) and closes.
    private static func refuse(_ descriptor: Int32, _ message: String) {
        let line = encode(.failure(message))
        _ = line.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        close(descriptor)
    }

    static func encode(_ response: ControlResponse) -> [UInt8] {
        ((try? ControlCoding.encoder().encode(response)).map(Array.init) ?? Array("{\"ok\":false}".utf8)) + [10]
    }
}
