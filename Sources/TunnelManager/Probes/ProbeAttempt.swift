// Longer than 250 lines: one non-blocking probe (connect to each address, read the answer, one deadline) is a
// small state machine on the event loop; split, its states would be shared across files.
import Dispatch
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One probe in flight, driven by the ``EventLoop``: a non-blocking connect to each address in turn, then
/// (banner, http) the answer, all ended by one deadline timer.
///
/// Nothing blocks a thread while a probe waits, so any number of probes run at once and each one's
/// latency is its own (a probe queued behind others on a small thread pool would count the queue). Every
/// step runs on the loop's thread, except a name lookup, which runs on a dispatch queue (getaddrinfo
/// blocks); if the lookup hangs, the deadline still ends the probe.
final class ProbeAttempt: Sendable {
    private enum Phase {
        case resolving, connecting, answering, finished
    }

    /// One address from getaddrinfo, copied out of its list.
    private struct Address {
        let family: Int32
        let bytes: [UInt8]
    }

    private struct State {
        var phase = Phase.resolving
        var addresses: [Address] = []
        var descriptor: Int32 = -1
        var answer: [UInt8] = []
        var lastError = "no address"
        var deadline: EventLoop.TimerID?
    }

    private let request: ProbeRequest
    private let started: ContinuousClock.Instant
    private let completion: @Sendable (ProbeResult) -> Void
    /// Touched only on the loop's thread; the lock makes that checkable, and costs nothing uncontended.
    private let state = Mutex(State())

    private init(request: ProbeRequest, started: ContinuousClock.Instant, completion: @escaping @Sendable (ProbeResult) -> Void) {
        self.request = request
        self.started = started
        self.completion = completion
    }

    /// Runs a probe; `completion` is called once, on the loop's thread.
    static func run(_ request: ProbeRequest, completion: @escaping @Sendable (ProbeResult) -> Void) {
        let attempt = ProbeAttempt(request: request, started: .now, completion: completion)
        EventLoop.shared.perform { attempt.start() }
    }

    // MARK: - Steps (on the loop's thread)

    private func start() {
        let timer = EventLoop.shared.schedule(at: started + request.timeout) { [self] in timedOut() }
        state.withLock { $0.deadline = timer }
        let endpoint = request.endpoint
        if Self.isNumeric(endpoint.host) {
            resolved(Self.resolve(endpoint))
        } else {
            DispatchQueue.global().async { [self] in
                let addresses = Self.resolve(endpoint)
                EventLoop.shared.perform { [self] in resolved(addresses) }
            }
        }
    }

    private func resolved(_ result: Result<[Address], ProbeFailure>) {
        guard state.withLock({ $0.phase == .resolving }) else { return }
        switch result {
        case .failure(let failure):
            finish(false, failure.description)
        case .success(let addresses):
            state.withLock {
                $0.addresses = addresses
                $0.phase = .connecting
            }
            connectNext()
        }
    }

    private func connectNext() {
        while let address = state.withLock({ $0.addresses.isEmpty ? nil : $0.addresses.removeFirst() }) {
            let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else {
                let error = Self.describe(errno)
                state.withLock { $0.lastError = error }
                continue
            }
            let result = address.bytes.withUnsafeBytes { bytes in
                Glibc.connect(descriptor, bytes.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
            }
            let connectError = errno
            state.withLock { $0.descriptor = descriptor }
            if result == 0 {
                connected()
                return
            }
            if connectError == EINPROGRESS, EventLoop.shared.watch(descriptor, for: .writable, handler: { [self] in connectFinished() }) {
                return
            }
            failedConnect(connectError)
        }
        finish(false, state.withLock { $0.lastError })
    }

    private func connectFinished() {
        let descriptor = state.withLock { $0.descriptor }
        EventLoop.shared.unwatch(descriptor)
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
        if socketError == 0 {
            connected()
        } else {
            failedConnect(socketError)
            connectNext()
        }
    }

    /// Closes the socket of an address that did not answer and remembers why.
    private func failedConnect(_ error: Int32) {
        let descriptor = state.withLock { state -> Int32 in
            state.lastError = Self.describe(error)
            defer { state.descriptor = -1 }
            return state.descriptor
        }
        close(descriptor)
    }

    private func connected() {
        let descriptor = state.withLock { state -> Int32 in
            state.phase = .answering
            return state.descriptor
        }
        switch request.kind {
        case .tcp, .none:
            finish(true, "ok")
            return
        case .banner:
            break
        case .http:
            let host = request.endpoint.host.contains(":") ? "[\(request.endpoint.host)]" : request.endpoint.host
            let message = "GET \(request.httpPath) HTTP/1.1\r\nHost: \(host):\(request.endpoint.port)\r\n"
                + "User-Agent: tunnel-tui\r\nConnection: close\r\n\r\n"
            let sent = message.utf8CString.withUnsafeBufferPointer { buffer in
                send(descriptor, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else {
                finish(false, "connection closed before the request was sent")
                return
            }
        }
        if !EventLoop.shared.watch(descriptor, handler: { [self] in readable() }) {
            finish(false, "cannot wait for the answer")
        }
    }

    private func readable() {
        let descriptor = state.withLock { $0.descriptor }
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                finish(false, errno == ECONNRESET ? "connection reset" : Self.describe(errno))
                return
            }
            if count == 0 {
                let answer = state.withLock { $0.answer }
                if answer.isEmpty {
                    finish(false, "connection closed without an answer")
                } else {
                    judge(answer)
                }
                return
            }
            let answer = state.withLock { state -> [UInt8] in
                state.answer += buffer[0..<count]
                return state.answer
            }
            if isEnough(answer) {
                judge(answer)
                return
            }
        }
    }

    private func isEnough(_ answer: [UInt8]) -> Bool {
        if answer.count > 4096 || answer.contains(10) { return true }
        return request.kind == .banner && answer.count >= request.expect.utf8.count
    }

    /// Passes or fails the answer read so far.
    private func judge(_ answer: [UInt8]) {
        switch request.kind {
        case .http:
            let statusLine = String(decoding: answer.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
                finish(false, "not an HTTP answer: \"\(TerminalText.sanitize(String(statusLine.prefix(40))))\"")
                return
            }
            finish(code < 500, code < 500 ? "ok (HTTP \(code))" : "HTTP \(code)")
        default:
            let text = String(decoding: answer, as: UTF8.self)
            if text.hasPrefix(request.expect) {
                finish(true, "ok")
                return
            }
            let shown = TerminalText.sanitize(String(text.prefix(40))).trimmingWhitespace()
            finish(false, "banner \"\(shown)\" does not start with \"\(request.expect)\"")
        }
    }

    private func timedOut() {
        let limit = DurationParser.format(request.timeout)
        switch state.withLock({ $0.phase }) {
        case .resolving: finish(false, "no answer within \(limit) (name lookup hung)")
        case .connecting: finish(false, "connect timed out")
        case .answering where request.kind == .http: finish(false, "connected, but no HTTP answer within \(limit)")
        case .answering: finish(false, "connected, but no banner within \(limit)")
        case .finished: break
        }
    }

    private func finish(_ passed: Bool, _ detail: String) {
        let ending = state.withLock { state -> (descriptor: Int32, deadline: EventLoop.TimerID?)? in
            guard state.phase != .finished else { return nil }
            state.phase = .finished
            defer { state.descriptor = -1 }
            return (state.descriptor, state.deadline)
        }
        guard let ending else { return }
        if ending.descriptor >= 0 {
            EventLoop.shared.unwatch(ending.descriptor)
            close(ending.descriptor)
        }
        if let deadline = ending.deadline { EventLoop.shared.cancel(deadline) }
        completion(ProbeResult(passed: passed, latency: ContinuousClock.now - started, detail: detail))
    }

    // MARK: - Addresses

    /// Why a name could not be resolved.
    private struct ProbeFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Whether `host` is an IPv4 or IPv6 address (resolving it cannot block).
    static func isNumeric(_ host: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET, host, &storage) == 1 || inet_pton(AF_INET6, host, &storage) == 1
    }

    private static func resolve(_ endpoint: Endpoint) -> Result<[Address], ProbeFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(ProbeFailure(description: "cannot resolve \(endpoint.host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let entry = current {
            current = entry.pointee.ai_next
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: socketAddress, count: Int(entry.pointee.ai_addrlen)))
            addresses.append(Address(family: entry.pointee.ai_family, bytes: bytes))
        }
        return .success(addresses)
    }

    private static func describe(_ error: Int32) -> String {
        error == ECONNREFUSED ? "connection refused" : String(cString: strerror(error)).lowercased()
    }
}
