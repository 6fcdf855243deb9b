import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Probes with plain POSIX sockets (non-blocking connect + poll) on a dispatch queue, never on the
/// cooperative pool; name resolution is bounded by an outer deadline.
public struct SocketProber: EndpointProber {
    /// Creates a prober.
    public init() {}

    /// Probes once; returns within `request.timeout` plus half a second even if DNS hangs.
    public func probe(_ request: ProbeRequest) async -> ProbeResult {
        let started = ContinuousClock.now
        return await withCheckedContinuation { (continuation: CheckedContinuation<ProbeResult, Never>) in
            let once = ResumeOnce(continuation)
            DispatchQueue.global().async {
                once.resume(Self.run(request, started: started))
            }
            // Only a name lookup can outlast the probe's own deadline; an address needs no watchdog.
            if Self.isNumeric(request.endpoint.host) { return }
            EventLoop.shared.schedule(at: started + request.timeout + .milliseconds(500)) {
                once.resume(ProbeResult(passed: false, latency: ContinuousClock.now - started,
                                        detail: "no answer within \(DurationParser.format(request.timeout)) (name lookup hung)"))
            }
        }
    }

    /// Resumes a continuation exactly once, from whichever of the probe and its deadline finishes first.
    private final class ResumeOnce: Sendable {
        private let continuation: Mutex<CheckedContinuation<ProbeResult, Never>?>

        init(_ continuation: CheckedContinuation<ProbeResult, Never>) {
            self.continuation = Mutex(continuation)
        }

        func resume(_ result: ProbeResult) {
            let taken = continuation.withLock { stored -> CheckedContinuation<ProbeResult, Never>? in
                defer { stored = nil }
                return stored
            }
            taken?.resume(returning: result)
        }
    }

    /// Whether `host` is an IPv4 or IPv6 address (resolving it cannot block).
    static func isNumeric(_ host: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET, host, &storage) == 1 || inet_pton(AF_INET6, host, &storage) == 1
    }

    // MARK: - Blocking probe, run on a dispatch thread

    static func run(_ request: ProbeRequest, started: ContinuousClock.Instant) -> ProbeResult {
        let deadline = started + request.timeout
        func finish(_ passed: Bool, _ detail: String) -> ProbeResult {
            ProbeResult(passed: passed, latency: ContinuousClock.now - started, detail: detail)
        }
        let socketResult = connect(to: request.endpoint, deadline: deadline)
        let descriptor: Int32
        switch socketResult {
        case .failure(let message): return finish(false, message)
        case .success(let connected): descriptor = connected
        }
        defer { close(descriptor) }
        switch request.kind {
        case .tcp, .none:
            return finish(true, "ok")
        case .banner:
            switch readUntil(descriptor, deadline: deadline, enough: { $0.count >= request.expect.utf8.count || $0.contains(10) }) {
            case .failure(let message):
                return finish(false, message == "timeout"
                              ? "connected, but no banner within \(DurationParser.format(request.timeout))" : message)
            case .success(let bytes):
                let text = String(decoding: bytes, as: UTF8.self)
                if text.hasPrefix(request.expect) { return finish(true, "ok") }
                let shown = TerminalText.sanitize(String(text.prefix(40))).trimmingCharacters(in: .whitespaces)
                return finish(false, "banner \"\(shown)\" does not start with \"\(request.expect)\"")
            }
        case .http:
            let host = request.endpoint.host.contains(":") ? "[\(request.endpoint.host)]" : request.endpoint.host
            let message = "GET \(request.httpPath) HTTP/1.1\r\nHost: \(host):\(request.endpoint.port)\r\n"
                + "User-Agent: tunnel-tui\r\nConnection: close\r\n\r\n"
            let sent = message.utf8CString.withUnsafeBufferPointer { buffer in
                send(descriptor, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return finish(false, "connection closed before the request was sent") }
            switch readUntil(descriptor, deadline: deadline, enough: { $0.contains(10) }) {
            case .failure(let message):
                return finish(false, message == "timeout"
                              ? "connected, but no HTTP answer within \(DurationParser.format(request.timeout))" : message)
            case .success(let bytes):
                let statusLine = String(decoding: bytes.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
                let parts = statusLine.split(separator: " ")
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
                    return finish(false, "not an HTTP answer: \"\(TerminalText.sanitize(String(statusLine.prefix(40))))\"")
                }
                return finish(code < 500, code < 500 ? "ok (HTTP \(code))" : "HTTP \(code)")
            }
        }
    }

    private enum Outcome<Value> {
        case success(Value)
        case failure(String)
    }

    private static func remainingMilliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = deadline - ContinuousClock.now
        return left <= .zero ? 0 : Int32(min(left.milliseconds + 1, Int64(Int32.max)))
    }

    private static func connect(to endpoint: Endpoint, deadline: ContinuousClock.Instant) -> Outcome<Int32> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure("cannot resolve \(endpoint.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let address = current {
            current = address.pointee.ai_next
            let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { lastError = String(cString: strerror(errno)); continue }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            var result = Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&poller, 1, remainingMilliseconds(until: deadline))
                if ready == 0 {
                    close(descriptor)
                    return .failure("connect timed out")
                }
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
                result = socketError == 0 ? 0 : -1
                errno = socketError
            }
            if result == 0 { return .success(descriptor) }
            lastError = errno == ECONNREFUSED ? "connection refused" : String(cString: strerror(errno)).lowercased()
            close(descriptor)
        }
        return .failure(lastError)
    }

    private static func readUntil(_ descriptor: Int32, deadline: ContinuousClock.Instant, enough: ([UInt8]) -> Bool) -> Outcome<[UInt8]> {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !enough(collected) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, remainingMilliseconds(until: deadline))
            if ready == 0 { return .failure("timeout") }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 {
                return collected.isEmpty ? .failure("connection closed without an answer") : .success(collected)
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(errno == ECONNRESET ? "connection reset" : String(cString: strerror(errno)).lowercased())
            }
            collected += buffer[0..<count]
            if collected.count > 4096 { break }
        }
        return .success(collected)
    }
}
